#!/usr/bin/env node
// The `eddy` command. Eddy ships TypeScript sources and config files may be TypeScript, so the
// tsx loader is registered before anything else is imported.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
