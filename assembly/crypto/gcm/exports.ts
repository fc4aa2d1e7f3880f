// ABI exports of the gcm module (snake_case, subsystem prefix). See docs/abi.md.
