"""Code that runs inside the sandbox, before and around the student's command.

Standard library only, imported with relative imports: the host binds these files
read-only at /run/grader/inside/ and starts `inside.driver` with the kernel
environment's python in isolated mode (-I -S), so nothing from /work or the kernel
environment's site-packages can shadow them. The host imports `wire` too, so both
sides share one frame format.

Must not: import anything outside the standard library or this package, or keep
mutable module state.
"""
