'use strict'
// The package's entry (`require('alipay-isv')`): the generated native binding (index.js) and the
// hand-written `Gateway` (gateway.js) as one module. Typed by main.d.ts. Written as a re-export plus
// one named export so that Node's CommonJS-to-ESM detection sees every name (`import { Client,
// Gateway } from 'alipay-isv'`).

module.exports = require('./index.js')
module.exports.Gateway = require('./gateway.js').Gateway
