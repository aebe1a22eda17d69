/**
 * What the example needs around the app: the user data (names, usernames and emails only), a
 * folder of its own for the store, and a webhook receiver on 127.0.0.1 standing in for Slack.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { ExampleError, prepareExampleDir } from '../shared/example-kit.ts'
import type { SourceUser } from './user.ts'

/** Reads the users, keeping only first and last name, username and email of each. */
export function readUsers(file: string): SourceUser[] {
  if (!existsSync(file)) {
    throw new ExampleError(
      `User data not found at ${resolve(file)}.\n` +
        'It is dummyjson-users.json, the 208 made-up users of https://dummyjson.com/users; this\n' +
        'workplace keeps it in ../shared/data/users/. Pass --data <file>.',
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new ExampleError(`User data at ${resolve(file)} is not JSON: ${(error as Error).message}`)
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { users?: unknown })?.users
  if (!Array.isArray(list)) {
    throw new ExampleError(`User data at ${resolve(file)} is not a list of users`)
  }
  return list.map((entry: Record<string, unknown>, index) => {
    const picked = {
      firstName: entry?.firstName,
      lastName: entry?.lastName,
      username: entry?.username,
      email: entry?.email,
    }
    const missing = Object.entries(picked).find(([, value]) => typeof value !== 'string')
    if (missing) {
      throw new ExampleError(`User data at ${resolve(file)}: entry ${index} has no ${missing[0]}`)
    }
    return picked as SourceUser
  })
}

/** Starts from a fresh store, replacing only the files an earlier run of this example wrote. */
export function prepareDir(dir: string): void {
  prepareExampleDir(dir, {
    marker: '.eddy-user-signups-example',
    files: ['eddy.db', 'example.log'],
    who: 'example',
  })
}

/** A Slack-style webhook receiver on 127.0.0.1 (a free port): it keeps the texts posted. */
export async function startWebhookReceiver() {
  const texts: string[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      try {
        texts.push(String((JSON.parse(body) as { text?: unknown }).text))
        response.end('ok')
      } catch {
        response.statusCode = 400
        response.end('expected JSON with a text field')
      }
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks/signups`,
    texts,
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
}

/** Polls `check` every 50 ms; fails with `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((done) => setTimeout(done, 50))
  }
}
