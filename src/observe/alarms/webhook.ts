/**
 * Posting an alarm's transition to a webhook, as Slack incoming webhooks take it: a JSON body
 * with `text` (shown in notifications) and `blocks` (the formatted message).
 */
import type { AlarmTransition } from './monitor.ts'

/** A Slack-compatible message body. */
export interface WebhookBody {
  text: string
  blocks?: { type: 'section'; text: { type: 'mrkdwn'; text: string } }[]
}

const icons = {
  ALARM: ':rotating_light:',
  OK: ':white_check_mark:',
  INSUFFICIENT_DATA: ':grey_question:',
}

/** The body posted for a transition. */
export function webhookBody(transition: AlarmTransition): WebhookBody {
  const { alarm, from, to, reason, atMs } = transition
  const text = `${icons[to]} Eddy alarm "${alarm}" is ${to} (was ${from}): ${reason}`
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${icons[to]} *${alarm}* is *${to}* (was ${from}) at ${new Date(atMs).toISOString()}\n${reason}`,
        },
      },
    ],
  }
}

/** Posts a transition; throws when the webhook does not answer 2xx within `timeoutMs`. */
export async function postWebhook(
  url: string,
  transition: AlarmTransition,
  timeoutMs = 5000,
): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(webhookBody(transition)),
    signal: AbortSignal.timeout(timeoutMs),
  })
  await response.body?.cancel()
  if (!response.ok)
    throw new Error(`the webhook answered ${response.status} ${response.statusText}`)
}
