/**
 * Message attributes as SQS has them: up to 10 typed values beside the body, and their MD5
 * computed the way SQS computes `MD5OfMessageAttributes`, so that SDK checks will pass.
 */
import { createHash } from 'node:crypto'
import { ValidationError, describe } from '../errors.ts'

/** One message attribute. `dataType` is String, Number or Binary, optionally `.label`. */
export interface MessageAttributeValue {
  dataType: string
  stringValue?: string
  /** Binary values, as bytes or base64 text. */
  binaryValue?: Uint8Array | string
}

export type MessageAttributes = Record<string, MessageAttributeValue>

const namePattern = /^(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/
const typePattern = /^(String|Number|Binary)(\.[A-Za-z0-9_.-]{1,250})?$/
const maxAttributes = 10

/** Checks attributes; returns them as stored (binary as base64) and their size in bytes. */
export function checkAttributes(
  queue: string,
  attributes: MessageAttributes | undefined,
): { json: string | null; sizeBytes: number } {
  if (attributes === undefined) return { json: null, sizeBytes: 0 }
  const names = Object.keys(attributes)
  if (names.length > maxAttributes) {
    throw new ValidationError(
      `Message for queue "${queue}" has ${names.length} attributes: at most ${maxAttributes}`,
    )
  }

  let sizeBytes = 0
  const stored: Record<string, { dataType: string; stringValue?: string; binaryValue?: string }> =
    {}
  for (const name of names) {
    const value = checkAttribute(queue, name, attributes[name])
    stored[name] = value
    sizeBytes += Buffer.byteLength(name) + Buffer.byteLength(value.dataType)
    sizeBytes += value.stringValue !== undefined ? Buffer.byteLength(value.stringValue) : 0
    sizeBytes +=
      value.binaryValue !== undefined ? Buffer.from(value.binaryValue, 'base64').length : 0
  }
  return { json: names.length > 0 ? JSON.stringify(stored) : null, sizeBytes }
}

function checkAttribute(queue: string, name: string, value: MessageAttributeValue | undefined) {
  const problem = (what: string) =>
    new ValidationError(`Message attribute ${describe(name)} for queue "${queue}": ${what}`)
  if (!namePattern.test(name))
    throw problem('the name is not valid: use 1 to 256 letters, digits, "_", "-" or "."')
  if (!value || !typePattern.test(value.dataType)) {
    throw problem(`dataType is ${describe(value?.dataType)}, expected String, Number or Binary`)
  }
  if (value.dataType.startsWith('Binary')) {
    if (value.binaryValue === undefined) throw problem('a Binary attribute needs binaryValue')
    const bytes =
      typeof value.binaryValue === 'string'
        ? Buffer.from(value.binaryValue, 'base64')
        : Buffer.from(value.binaryValue)
    return { dataType: value.dataType, binaryValue: bytes.toString('base64') }
  }
  if (typeof value.stringValue !== 'string')
    throw problem(`a ${value.dataType} attribute needs stringValue`)
  if (value.dataType.startsWith('Number') && !Number.isFinite(Number(value.stringValue))) {
    throw problem(`stringValue ${describe(value.stringValue)} is not a number`)
  }
  return { dataType: value.dataType, stringValue: value.stringValue }
}

/** Parses stored attributes back; binary values come back as bytes. */
export function parseAttributes(json: string | null): MessageAttributes {
  if (!json) return {}
  const stored = JSON.parse(json) as Record<
    string,
    { dataType: string; stringValue?: string; binaryValue?: string }
  >
  const attributes: MessageAttributes = {}
  for (const [name, value] of Object.entries(stored)) {
    attributes[name] =
      value.binaryValue !== undefined
        ? { dataType: value.dataType, binaryValue: Buffer.from(value.binaryValue, 'base64') }
        : { dataType: value.dataType, stringValue: value.stringValue }
  }
  return attributes
}

/** `MD5OfMessageAttributes` as SQS computes it; null without attributes. */
export function md5OfAttributes(json: string | null): string | null {
  if (!json) return null
  const stored = JSON.parse(json) as Record<
    string,
    { dataType: string; stringValue?: string; binaryValue?: string }
  >
  const hash = createHash('md5')
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(bytes.length)
    hash.update(length).update(bytes)
  }
  for (const name of Object.keys(stored).sort()) {
    const value = stored[name]
    if (!value) continue
    lengthPrefixed(Buffer.from(name, 'utf8'))
    lengthPrefixed(Buffer.from(value.dataType, 'utf8'))
    const binary = value.binaryValue !== undefined
    hash.update(Buffer.from([binary ? 2 : 1]))
    lengthPrefixed(
      binary
        ? Buffer.from(value.binaryValue ?? '', 'base64')
        : Buffer.from(value.stringValue ?? '', 'utf8'),
    )
  }
  return hash.digest('hex')
}
