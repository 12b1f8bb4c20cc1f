"""The workflow sandbox every worker and replayer uses.

`cryptography` (signature checks in update validators) is passed through: its Rust extension
may be loaded once per process, and a second, sandboxed import aborts the interpreter.
"""

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("cryptography")
)
