// ABI exports of the hash module (snake_case, subsystem prefix). See docs/abi.md.
