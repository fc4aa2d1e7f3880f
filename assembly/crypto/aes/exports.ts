// ABI exports of the aes module (snake_case, subsystem prefix). See docs/abi.md.
