// `node --import eddy/register app.mjs`: lets an app import TypeScript files (such as its
// eddy.config.ts) through the tsx loader that comes with eddy.
import { register } from 'tsx/esm/api'

register()
