#!/usr/bin/env node
// The `eddy` command. Config files may be TypeScript, so the tsx loader is registered before
// anything else is imported.
import './register.js'

await import('../src/cli/main.ts')
