/** Reports every raw reference of this run, so the table shows what Eddy is compared with. */
import { measures, reference, type RawId } from '../raw.ts'
import type { Scenario } from '../types.ts'

export const rawReferences: Scenario = async (context) => {
  const results = []
  for (const id of Object.keys(measures) as RawId[]) {
    const raw = await reference(id, context)
    results.push({
      ...raw,
      reference: null,
      referenceName: null,
      ratio: null,
      goal: null,
      goalKind: null,
    })
  }
  return results
}
