"""Test-only launcher: runs `streamlit run app.py ...` with WebRTC ICE pinned to loopback.

aioice leaves 127.0.0.1 out of its host candidates, so on a machine whose tests must stay on loopback
the server would offer no reachable candidate. Pinning it here (not in app.py) keeps the app itself
unchanged. Usage: python -m tests.browser.serve_app APP.py [streamlit options...]
"""

from __future__ import annotations

import logging
import sys

import aioice.ice


def _loopback_only(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return ["127.0.0.1"] if use_ipv4 else []


def main() -> None:
    aioice.ice.get_host_addresses = _loopback_only
    # The connection's states in the server log, so a camera test that fails says where it stopped.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    for name in ("aiortc", "aioice", "streamlit_webrtc"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
