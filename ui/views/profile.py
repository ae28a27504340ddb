"""Profile page: choose or create the person being measured (age/sex pick the norms, height the cm scale)."""

from __future__ import annotations

import streamlit as st

from ui import backend, common

SEXES = ["female", "male", "other"]
SELECT_KEY = "profile_person"
DELETE_KEY = "profile_delete_pending"


def _remember_choice() -> None:
    st.session_state[common.PERSON_KEY] = st.session_state[SELECT_KEY]


def _create_form() -> None:
    with st.form("new_person", clear_on_submit=True):
        st.markdown("**New person**")
        name = st.text_input("Name", key="new_name")
        c1, c2, c3 = st.columns(3)
        age = c1.number_input("Age (years)", min_value=5, max_value=110, value=30, step=1, key="new_age")
        sex = c2.selectbox("Sex", SEXES, key="new_sex")
        height = c3.number_input(
            "Height (cm)",
            min_value=80.0,
            max_value=230.0,
            value=170.0,
            step=1.0,
            format="%.0f",
            key="new_height",
        )
        if st.form_submit_button("Create", type="primary"):
            with common.shown_errors("Could not create the person"):
                person = backend.create_person(common.store(), name, int(age), sex, float(height))
                st.session_state[common.PERSON_KEY] = person.id
                st.rerun()


def _delete_person(person: backend.PersonView) -> None:
    """Deleting a person removes all their measurements: ask first, then really delete."""
    if st.session_state.get(DELETE_KEY) != person.id:
        if st.button(f"Delete {person.name}…", key="profile_delete"):
            st.session_state[DELETE_KEY] = person.id
            st.rerun()
        return

    def delete() -> None:
        backend.delete_person(common.store(), person.id)
        st.session_state.pop(common.PERSON_KEY, None)

    common.confirm_step(
        DELETE_KEY, f"Delete **{person.name}** and all of their measurements?", delete, key="profile_delete"
    )


def page() -> None:
    st.title("Who is being measured?")
    people: list[backend.PersonView] = []
    with common.shown_errors("Could not open the history database"):
        people = backend.list_people(common.store())
    if people:
        ids = [p.id for p in people]
        by_id = {p.id: p for p in people}
        current = st.session_state.get(common.PERSON_KEY)
        # The widget shows the app's choice (it may have been made by the form below).
        st.session_state[SELECT_KEY] = current if current in ids else None
        chosen = st.selectbox(
            "Person",
            ids,
            format_func=lambda i: by_id[i].name,
            placeholder="Choose a person",
            key=SELECT_KEY,
            on_change=_remember_choice,
        )
        person = by_id.get(chosen) if chosen is not None else None
        if person is not None:
            facts = [
                f"age {person.age}" if person.age is not None else None,
                person.sex,
                f"height {person.height_cm:.0f} cm" if person.height_cm else None,
            ]
            st.success(f"Measuring **{person.name}** ({', '.join(f for f in facts if f)}).")
            _delete_person(person)
    else:
        st.info("No one yet: create the first person below.")
    _create_form()
    st.caption("Everything is stored on this computer only.")
    common.not_a_diagnosis()
