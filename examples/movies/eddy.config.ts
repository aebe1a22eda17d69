// The movies app as deployed now, with the fixed ratings handler. Try:
//   npx eddy status --config examples/movies/eddy.config.ts
//   npx eddy dlq reprocess ratings-dlq --config examples/movies/eddy.config.ts
import { moviesApp } from './config.ts'

export default moviesApp({ ratingsVersion: 2 }).config
