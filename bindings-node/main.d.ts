/* The typings of the package's entry (main.js): the generated native binding's (index.d.ts) and the
   hand-written Gateway's (gateway.d.ts). */
export * from './index.js'
export * from './gateway.js'
