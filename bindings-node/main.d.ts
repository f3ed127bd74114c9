/* The typings of the package's entries (main.js for `require`, main.mjs for `import`, which re-exports
   it and adds the whole module as the default export): the generated native binding's (index.d.ts)
   and the hand-written Gateway's (gateway.d.ts). */
export * from './index.js'
export * from './gateway.js'
