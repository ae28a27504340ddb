"""The app's pages, in navigation order."""

from __future__ import annotations

import streamlit as st

from ui.views import history_page, profile, record, upload


def pages() -> list[st.Page]:
    return [
        st.Page(profile.page, title="Profile", icon=":material/person:", url_path="profile", default=True),
        st.Page(record.page, title="Record", icon=":material/videocam:", url_path="record"),
        st.Page(upload.page, title="Upload", icon=":material/upload:", url_path="upload"),
        st.Page(history_page.page, title="History", icon=":material/show_chart:", url_path="history"),
    ]
