"""People: users and roles, teams, departments, sites, skills, wellbeing and coaching."""
