"""The approvers' page: a web inbox for accounting approvers (DESIGN.md "The approvers' page").

Server-rendered (FastAPI + Jinja2), every action a plain form post, each one the same Temporal
update the command line sends, made as the logged-in user and signed with their key.
"""
