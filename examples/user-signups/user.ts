/**
 * A user as the signups app stores it. Version 1 of the producer writes `fullname`; version 2
 * writes `firstname` and `lastname` instead, which is the change that breaks consumers.
 */
export interface SignupUser {
  /** The username: the partition key. */
  id: string
  username: string
  email: string
  fullname?: string
  firstname?: string
  lastname?: string
}

/** The only fields the example takes from the data file: never passwords, bank or ssn. */
export interface SourceUser {
  firstName: string
  lastName: string
  username: string
  email: string
}

/** Where the data set lives in this workplace, relative to the repository root. */
export const defaultDataFile = '../shared/data/users/dummyjson-users.json'

/** Producer version 1: one `fullname` field. */
export function userV1(user: SourceUser): SignupUser {
  const { username, email } = user
  return { id: username, username, email, fullname: `${user.firstName} ${user.lastName}` }
}

/** Producer version 2: `firstname` and `lastname`, and no `fullname` any more. */
export function userV2(user: SourceUser): SignupUser {
  const { username, email } = user
  return { id: username, username, email, firstname: user.firstName, lastname: user.lastName }
}
