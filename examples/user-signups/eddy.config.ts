// The signups app as deployed after the fix, for the CLI. Try, after running the example:
//   npx eddy status --config examples/user-signups/eddy.config.ts --store .eddy/user-signups/eddy.db
// Its notifier posts to SIGNUPS_WEBHOOK_URL (default: nothing listens on 127.0.0.1 port 9).
import { signupsApp } from './config.ts'

export default signupsApp({
  webhookUrl: process.env.SIGNUPS_WEBHOOK_URL ?? 'http://127.0.0.1:9/signups',
}).config
