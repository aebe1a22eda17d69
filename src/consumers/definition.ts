/** How a consumer is declared: its stream, its record handler, batching and failure mode. */
import { z } from 'zod'
import { ValidationError } from '../errors.ts'
import type { Logger } from '../observe/logger.ts'
import { contractSchema } from '../schemas/definition.ts'
import type { ContractDefinition } from '../schemas/contract.ts'
import { compileContract, type CompiledContract } from '../schemas/runtime.ts'
import type { ChangeRecord, Item } from '../streams/types.ts'
import { namePattern } from '../tables/definition.ts'

/**
 * What a consumer does when its handler fails on a record:
 * - `'log'`: log and count the error, skip the record, move on;
 * - `'retry'`: stop the shard and retry from the failing record, with backoff, until it succeeds;
 * - `{ deadLetter: 'queue' }`: send the record with its error to the queue, move on.
 */
export type FailureMode = 'log' | 'retry' | { deadLetter: string }

/** What a record handler gets besides the record. */
export interface RecordContext {
  consumer: string
  /** 1 on the first try of this record, 2 on the first retry, and so on. */
  attempt: number
  /** A logger whose lines carry stream, shard, sequence number and consumer. */
  log: Logger
}

/** Processes one change record; a thrown error is a failure of that record. */
export type RecordHandler<TItem extends object = Item> = (
  record: ChangeRecord<TItem>,
  context: RecordContext,
) => void | Promise<void>

/** A consumer: a record handler bound to a stream, with its own checkpoint per shard. */
export interface ConsumerDefinition<TItem extends object = Item> {
  name: string
  /** The stream to read; a table's stream has the table's name. */
  stream: string
  handleRecord: RecordHandler<TItem>
  /** Records per batch, 1 to 10,000. Default 100. The checkpoint is saved after each batch. */
  batchSize?: number
  /** Where a new consumer starts: `oldest` (default) or `latest`. Ignored once it has started. */
  startingPosition?: 'oldest' | 'latest'
  /** Default `'retry'`, as on AWS. */
  onFailure?: FailureMode
  /** Backoff of `'retry'`: first wait and longest wait, in milliseconds. Default 100 and 30,000. */
  retryBackoff?: { initialMs?: number; maxMs?: number }
  /**
   * What the handler reads from each item: field paths with types, or a schema. A record that
   * does not meet it fails before the handler runs (the failure mode applies), and a producer's
   * new schema that breaks it is refused. Default: no contract.
   */
  contract?: ContractDefinition
}

/** A consumer definition with every default filled in. */
export interface ResolvedConsumer {
  name: string
  stream: string
  handleRecord: RecordHandler
  batchSize: number
  startingPosition: 'oldest' | 'latest'
  onFailure: FailureMode
  retryBackoff: { initialMs: number; maxMs: number }
  contract: CompiledContract | null
}

export const consumerDefinitionSchema = z.object({
  name: z.string().regex(namePattern, 'use 1 to 255 letters, digits, "_", "-" or "."'),
  stream: z.string().min(1, 'name the stream to read'),
  handleRecord: z.custom<RecordHandler>((value) => typeof value === 'function', {
    message: 'handleRecord must be a function (record, context) => void | Promise<void>',
  }),
  batchSize: z.number().int().min(1).max(10_000).optional(),
  startingPosition: z.enum(['oldest', 'latest']).optional(),
  onFailure: z
    .union([
      z.literal('log'),
      z.literal('retry'),
      z
        .object({ deadLetter: z.string().regex(namePattern, 'name the dead-letter queue') })
        .strict(),
    ])
    .optional(),
  retryBackoff: z
    .object({
      initialMs: z.number().int().min(1).max(3_600_000).optional(),
      maxMs: z.number().int().min(1).max(3_600_000).optional(),
    })
    .optional(),
  contract: contractSchema.optional(),
})

/** Declares a consumer. Throws a `ValidationError` that names the bad option. */
export function defineConsumer<TItem extends object = Item>(
  definition: ConsumerDefinition<TItem>,
): ConsumerDefinition<TItem> {
  const parsed = consumerDefinitionSchema.safeParse(definition)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ValidationError(
      `Consumer ${JSON.stringify(definition?.name)} is not valid at ` +
        `${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    )
  }
  return definition
}

/** Fills in the defaults of a consumer definition. */
export function resolveConsumer(definition: ConsumerDefinition): ResolvedConsumer {
  return {
    name: definition.name,
    stream: definition.stream,
    handleRecord: definition.handleRecord,
    batchSize: definition.batchSize ?? 100,
    startingPosition: definition.startingPosition ?? 'oldest',
    onFailure: definition.onFailure ?? 'retry',
    retryBackoff: {
      initialMs: definition.retryBackoff?.initialMs ?? 100,
      maxMs: definition.retryBackoff?.maxMs ?? 30_000,
    },
    contract: definition.contract ? compileContract(definition.name, definition.contract) : null,
  }
}

/** The name of the consumer's dead-letter queue, if its failure mode has one. */
export function deadLetterQueueOf(consumer: { onFailure: FailureMode }): string | null {
  return typeof consumer.onFailure === 'object' ? consumer.onFailure.deadLetter : null
}
