"""The response-templates page: team leads create, edit and retire the replies agents pick in the reply box."""
