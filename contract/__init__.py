"""The Temporal contract, imported by callers and workflows alike: names of workflows, updates,
signals, queries, activities and task queues, workflow IDs, search attributes, and the messages
they carry. Callers (cli/, client/, devtools/, activities/) import this, never workflows/.
Depends only on domain/."""
