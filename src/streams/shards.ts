/**
 * Which shard a key lands in. The partition key alone decides, so every change of one item, and
 * of every item that shares its partition key, is in one shard and keeps its order.
 */

/** 32-bit FNV-1a over the UTF-8 bytes of a string: stable across processes and versions. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

/** The shard index of a partition key, given as its canonical string. */
export function shardForPartitionKey(partitionKey: string, shardCount: number): number {
  return fnv1a(partitionKey) % shardCount
}
