"""The web UI shell: login, navigation, shared templates and static assets."""
