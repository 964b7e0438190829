#!/usr/bin/env node
// The `rollcall` executable (package.json "bin"): build the program, run it, turn errors into exit codes.
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv);
