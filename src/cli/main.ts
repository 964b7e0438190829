#!/usr/bin/env node
// The `rollcall` executable (package.json "bin"): build the program, run it, turn errors into exit codes.
import { runCli } from './program.js';

const code = await runCli(process.argv);
process.exitCode = code;
// Everything a command opened is closed by now, so the process normally ends by itself. If a
// library handle still lingers, do not hang: this unref'd timer fires only in that case.
setTimeout(() => process.exit(code), 3000).unref();
