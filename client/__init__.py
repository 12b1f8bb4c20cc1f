"""The client layer: the one place people's tools (cli/, devtools/demo.py, bench/, the approvers'
page) talk to Temporal, with the one mapping of failures to user errors (client/errors.py).

- connection.py  open_client
- items.py       start_item, command (an update on an item or any workflow), item_status,
                 list_items, running, watch
- entities.py    start_entity, entity_status (ErpProject, ErpCompany, PrimeContractSync)
- projects.py    load_projects, find_project (the project settings file)
- schedules.py   the project's sync schedule: set, show, delete; project_syncs
- signing.py     signed: a request signed on a user's behalf with their key

Depends on contract/ and domain/, never on workflows/.
"""
