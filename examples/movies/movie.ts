/** The shape of a movie in the DynamoDB getting-started data set. Not every `info` field is set. */
export interface Movie {
  year: number
  title: string
  info: {
    directors?: string[]
    release_date?: string
    rating?: number
    genres?: string[]
    image_url?: string
    plot?: string
    rank?: number
    running_time_secs?: number
    actors?: string[]
  }
}

/** Where the data set lives in this workplace, relative to the repository root. */
export const defaultDataFile = '../shared/data/dynamodb-getting-started/moviedata.json'
