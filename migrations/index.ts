// The schema of record, in order. Written by `npm run migration:generate -- <name>`.
import { InitialSchema1795733480607 } from './1795733480607-initial-schema';

export const migrations: Array<new () => object> = [InitialSchema1795733480607];
