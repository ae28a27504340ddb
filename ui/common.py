"""Shared page helpers: settings, the history store, the selected person, messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import streamlit as st

from ui import backend

if TYPE_CHECKING:
    from history import HistoryStore

NOT_A_DIAGNOSIS = (
    "FlexCheck is a self-measurement aid, not a diagnosis. Stop if a test hurts, and see a health "
    "professional about pain, numbness, tingling or weakness."
)
PERSON_KEY = "person_id"


def not_a_diagnosis() -> None:
    st.caption(f":material/medical_information: {NOT_A_DIAGNOSIS}")


@st.cache_resource(show_spinner=False)
def _store(database_url: str) -> HistoryStore:
    return backend.open_store(database_url)


def store() -> HistoryStore:
    return _store(backend.settings().database_url)


def selected_person() -> backend.PersonView | None:
    person_id = st.session_state.get(PERSON_KEY)
    if person_id is None:
        return None
    return backend.get_person(store(), int(person_id))


def user_error(exc: BaseException) -> str:
    """One line for the person: the engine's own message for bad input, a generic line otherwise."""
    return backend.user_message(exc)


@contextmanager
def shown_errors(what: str) -> Iterator[None]:
    """Run an action; show a failure as one st.error line, never a traceback."""
    try:
        yield
    except Exception as exc:  # Streamlit's rerun/stop signals are BaseException and pass through
        st.error(f"{what}: {user_error(exc)}")


def run_safely(what: str, action: Callable[[], Any]) -> Any:
    with shown_errors(what):
        return action()
    return None


def confirm_step(pending_key: str, message: str, delete: Callable[[], None], key: str) -> None:
    """Second step of a delete: say what will be lost, then delete on "Yes" or forget on "Cancel"."""
    st.warning(f"{message} This cannot be undone.")
    c1, c2 = st.columns(2)
    if c1.button("Yes, delete", type="primary", key=f"{key}_yes"):
        with shown_errors("Could not delete"):
            delete()
            st.session_state.pop(pending_key, None)
            st.rerun()
    if c2.button("Cancel", key=f"{key}_no"):
        st.session_state.pop(pending_key, None)
        st.rerun()


def slr_mode_choice(test: str, key: str) -> str | None:
    """Active or passive straight-leg raise (None for sit-and-reach); passive shows the helper's guidance."""
    if test != "slr":
        return None
    mode = str(
        st.radio(
            "How is the leg raised?",
            list(backend.SLR_MODE_LABELS),
            format_func=backend.SLR_MODE_LABELS.__getitem__,
            horizontal=True,
            key=key,
            help="The published cut-points come from passive tests, where a helper lifts the leg.",
        )
    )
    if mode == "passive":
        st.info(backend.PASSIVE_GUIDANCE, icon=":material/group:")
    return mode


def sidebar() -> None:
    """App name and who is being measured, on every page."""
    with st.sidebar:
        st.markdown("### FlexCheck")
        st.caption("Hamstring flexibility from video, measured on this computer.")
        person = None
        with shown_errors("Could not open the history database"):
            person = selected_person()
        if person is not None:
            st.markdown(f":material/person: **{person.name}**")
