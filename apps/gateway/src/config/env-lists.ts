// The env list helpers live in @switchboard/config (one of them for every service); gateway.env.ts
// still imports `csv` from here.
export { csv } from '@switchboard/config';
