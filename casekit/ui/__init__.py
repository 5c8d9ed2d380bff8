"""Support for the Streamlit screens: the loaded workspace, the sidebar, small widgets.

Pages stay thin: they draw what these helpers and the ``casekit`` functions return.
"""
