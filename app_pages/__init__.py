"""The Streamlit pages of ``streamlit_app.py``, one module each, and what they share.

Streamlit code only: each page wires widgets to ``qa_assistant``, where the logic lives
(``app_support``, ``conversations``, ``uploads``, ``index_updater``). The package is not
named ``pages``: a ``pages/`` folder beside the script would become Streamlit pages of its own.
"""
