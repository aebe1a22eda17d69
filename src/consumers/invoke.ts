/**
 * The one entry point through which a record reaches a consumer's handler, used by normal
 * delivery and by reprocessing alike, so that a fixed handler sees dead letters exactly as it
 * would have seen the records live.
 */
import { toError } from '../errors.ts'
import { logFields, type Logger } from '../observe/logger.ts'
import type { ChangeRecord } from '../streams/types.ts'
import type { ResolvedConsumer } from './definition.ts'

/** The logger a handler gets for one record: every line names the record and the consumer. */
export function recordLogger(log: Logger, consumer: string, record: ChangeRecord): Logger {
  return log.child({
    [logFields.stream]: record.stream,
    [logFields.shard]: record.shard,
    [logFields.sequenceNumber]: record.sequenceNumber,
    [logFields.consumer]: consumer,
  })
}

/**
 * Runs the consumer's handler on one record; resolves to the error when it fails. A record that
 * does not meet the consumer's contract fails with a `ContractError` before the handler runs.
 */
export async function invokeRecordHandler(
  consumer: ResolvedConsumer,
  record: ChangeRecord,
  attempt: number,
  log: Logger,
): Promise<Error | null> {
  const violation = consumer.contract?.check(record)
  if (violation) return violation

  try {
    await consumer.handleRecord(record, {
      consumer: consumer.name,
      attempt,
      log: recordLogger(log, consumer.name, record),
    })
    return null
  } catch (thrown) {
    return toError(thrown)
  }
}
