"""FlexCheck web app: `streamlit run app.py` (local only; see .streamlit/config.toml)."""

from __future__ import annotations

import streamlit as st

from ui import common, webrtc_fix
from ui.views import pages


def main() -> None:
    st.set_page_config(page_title="FlexCheck", page_icon=":material/accessibility_new:", layout="wide")
    webrtc_fix.install()
    page = st.navigation(pages(), position="sidebar")
    common.sidebar()
    page.run()
    # Only reached when the run was not interrupted by a rerun: see ui/webrtc_fix.py.
    webrtc_fix.mark_run_completed(st.session_state)


main()
