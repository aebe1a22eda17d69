/**
 * How a queue is declared: SQS's attributes with SQS's ranges and defaults, a redrive policy
 * (where a message goes after too many receives) and a redrive allow policy (which queues may
 * use this one as their dead-letter queue).
 */
import { z } from 'zod'
import { ConfigError } from '../errors.ts'
import type { QueueRow } from '../store/index.ts'
import { namePattern } from '../tables/definition.ts'

/** The limits of queue attributes, as on SQS. */
export const queueLimits = {
  maxVisibilityTimeoutSeconds: 43_200,
  maxDelaySeconds: 900,
  minRetentionSeconds: 60,
  maxRetentionSeconds: 1_209_600,
  maxWaitTimeSeconds: 20,
  maxBodyBytes: 1_048_576,
  maxReceiveCount: 1000,
  batchEntries: 10,
} as const

/** Defaults of queue attributes, as on SQS. */
export const queueDefaults = {
  visibilityTimeoutSeconds: 30,
  delaySeconds: 0,
  retentionSeconds: 345_600,
  maxBodyBytes: 262_144,
  receiveWaitTimeSeconds: 0,
} as const

/** After `maxReceiveCount` receives without a delete, the next receive moves the message. */
export interface RedrivePolicy {
  deadLetterQueue: string
  /** 1 to 1,000. */
  maxReceiveCount: number
}

/** Which queues may name this queue as their dead-letter queue. Default `allowAll`. */
export interface RedriveAllowPolicy {
  permission: 'allowAll' | 'denyAll' | 'byQueue'
  /** With `byQueue`: the queues allowed, at most 10. */
  sourceQueues?: string[]
}

/** A queue as declared in the config or passed to `open`. */
export interface QueueDefinition {
  /** Letters, digits, "_", "-" or "."; a FIFO queue's name ends in `.fifo`. */
  name: string
  /** Order per message group and deduplication within 5 minutes. Default false. */
  fifo?: boolean
  /** FIFO: deduplicate by the SHA-256 of the body when a send gives no deduplication id. */
  contentBasedDeduplication?: boolean
  /** How long a received message stays hidden, in seconds: 0 to 43,200 (12 h). Default 30. */
  visibilityTimeoutSeconds?: number
  /** Delay of a message sent without its own, in seconds: 0 to 900. Default 0. */
  delaySeconds?: number
  /** How long a message is kept, in seconds: 60 to 1,209,600 (14 days). Default 345,600 (4 days). */
  retentionSeconds?: number
  /** Largest body plus message attributes, in bytes: 1 to 1,048,576. Default 262,144 (256 KB). */
  maxBodyBytes?: number
  /** How long a receive waits for a message by default, in seconds: 0 to 20. Default 0. */
  receiveWaitTimeSeconds?: number
  redrivePolicy?: RedrivePolicy
  redriveAllowPolicy?: RedriveAllowPolicy
}

const wholeNumber = (min: number, max: number) => z.number().int().min(min).max(max).optional()

export const queueDefinitionSchema = z
  .object({
    name: z.string().regex(namePattern, 'use 1 to 255 letters, digits, "_", "-" or "."'),
    fifo: z.boolean().optional(),
    contentBasedDeduplication: z.boolean().optional(),
    visibilityTimeoutSeconds: wholeNumber(0, queueLimits.maxVisibilityTimeoutSeconds),
    delaySeconds: wholeNumber(0, queueLimits.maxDelaySeconds),
    retentionSeconds: wholeNumber(queueLimits.minRetentionSeconds, queueLimits.maxRetentionSeconds),
    maxBodyBytes: wholeNumber(1, queueLimits.maxBodyBytes),
    receiveWaitTimeSeconds: wholeNumber(0, queueLimits.maxWaitTimeSeconds),
    redrivePolicy: z
      .object({
        deadLetterQueue: z.string().regex(namePattern, 'name the dead-letter queue'),
        maxReceiveCount: z.number().int().min(1).max(queueLimits.maxReceiveCount),
      })
      .strict()
      .optional(),
    redriveAllowPolicy: z
      .object({
        permission: z.enum(['allowAll', 'denyAll', 'byQueue']),
        sourceQueues: z.array(z.string().regex(namePattern)).max(10).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((queue) => queue.name.endsWith('.fifo') === (queue.fifo === true), {
    message: 'a FIFO queue (fifo: true) and only a FIFO queue has a name ending in ".fifo"',
    path: ['name'],
  })

/** The store's form of a definition, with every default filled in. */
export function toQueueRow(definition: QueueDefinition): QueueRow {
  return {
    name: definition.name,
    fifo: definition.fifo ?? false,
    contentBasedDeduplication: definition.contentBasedDeduplication ?? false,
    visibilityTimeoutMs:
      (definition.visibilityTimeoutSeconds ?? queueDefaults.visibilityTimeoutSeconds) * 1000,
    delayMs: (definition.delaySeconds ?? queueDefaults.delaySeconds) * 1000,
    retentionMs: (definition.retentionSeconds ?? queueDefaults.retentionSeconds) * 1000,
    maxBodyBytes: definition.maxBodyBytes ?? queueDefaults.maxBodyBytes,
    redrive: definition.redrivePolicy ?? null,
  }
}

/**
 * Checks every redrive policy against the queues it names: the dead-letter queue exists, is of
 * the same kind (FIFO or standard), is not the queue itself, and its allow policy admits it.
 */
export function checkRedrivePolicies(queues: QueueDefinition[]): void {
  const byName = new Map(queues.map((queue) => [queue.name, queue]))
  queues.forEach((queue, index) => {
    const policy = queue.redrivePolicy
    if (!policy) return
    const where = `Config queues[${index}].redrivePolicy.deadLetterQueue`
    const target = byName.get(policy.deadLetterQueue)
    const problem = redriveProblem(queue, target, policy.deadLetterQueue)
    if (problem) throw new ConfigError(`${where}: "${policy.deadLetterQueue}" ${problem}`)
  })
}

function redriveProblem(
  source: QueueDefinition,
  target: QueueDefinition | undefined,
  targetName: string,
): string | null {
  if (!target) return 'is not a declared queue: declare it in queues'
  if (targetName === source.name) return 'is the queue itself: name another queue'
  if ((target.fifo ?? false) !== (source.fifo ?? false)) {
    return 'is not of the same kind: a FIFO queue needs a FIFO dead-letter queue, a standard one a standard one'
  }
  const allow = target.redriveAllowPolicy ?? { permission: 'allowAll' }
  if (allow.permission === 'denyAll') return 'has a redrive allow policy of denyAll'
  if (allow.permission === 'byQueue' && !allow.sourceQueues?.includes(source.name)) {
    return `has a redrive allow policy that does not list "${source.name}" in sourceQueues`
  }
  return null
}
