// Type-checked (never run) with `tsc --noEmit -p test/tsconfig.json`: uses the whole public API
// against the committed index.d.ts in strict mode, and checks that misuse is a type error.

import {
  PrivateKey,
  PublicKey,
  Signer,
  Verifier,
  signContent,
  generateKeyPair,
  looksLikeOwnKey,
  type AlipayError,
  type ErrorCode,
  type KeyPair,
  type SignedContent,
  type SignOptions,
  IsvConfig,
  AesKey,
  ResponseVerifier,
  NotificationVerifier,
  SignedRequest,
  chinaTimestampNow,
  chinaTimestamp,
  parseChinaTimestamp,
  SUCCESS_ACK,
  SERVICE_CHECK,
  PRODUCTION_GATEWAY,
  SANDBOX_GATEWAY,
  type CallOptions,
  type HttpRequest,
  type IsvConfigOptions,
  type Notification,
  type VerifiedResponse,
  Client,
  Emulator,
  AppAuthToken,
  UserToken,
  AppAuthCallback,
  UserAuthCallback,
  appAuthLink,
  consoleAuthLink,
  userConsentLink,
  generateState,
  statesMatch,
  parseAppAuthCallback,
  parseUserAuthCallback,
  APP_AUTH_NOTIFY,
  APP_AUTH_CANCELLED,
  type AuthLink,
  type AppAuthTokenInfo,
  type UserInfo,
  type Delivery,
  type ExecuteOptions,
  type TransportOptions,
  type FaultKind,
  metricsSnapshot,
  onEvent,
  offEvent,
  type MetricSample,
  type ObservedEvent,
  type ApplicationType,
  type UserScope,
  Registry,
  TokenKey,
  MerchantAuthorisation,
  generateTokenKey,
  type IngestOutcome,
  type AuthStatus,
  type AuthOrigin,
  TokenImport,
  ConsoleToken,
  type RegistryOptions,
  type RefreshLease,
  Certificate,
  RootBundle,
  appCertSn,
  alipayRootCertSn,
  parseCertificates,
  ALIPAY_CERT_DOWNLOAD_METHOD,
  type CertificateInput,
  type ResponseCheck,
  type Notification as VerifiedNotification,
  type ServiceMarketOrderNotification,
  type AppAuthNotification,
  personalFields,
  isPersonalField,
  shown as shownField,
  SERVICEMARKET_ORDER_QUERY_METHOD,
  SERVICEMARKET_ORDER_ACCEPT_METHOD,
  SERVICEMARKET_ORDER_REJECT_METHOD,
  SERVICEMARKET_ORDER_ITEM_COMPLETE_METHOD,
  SERVICEMARKET_ORDER_ITEM_CONFIRM_METHOD,
  SERVICEMARKET_ORDER_ITEM_CANCEL_METHOD,
  SERVICEMARKET_ORDER_PAGE_SIZE,
  SERVICEMARKET_ORDER_NOTIFY,
  type ServiceMarketOrderPage,
  type ServiceMarketOrderItem,
  type ServiceMarketOrderItemTarget,
  type SubscribeOptions,
  type Subscription,
  OrderRecord,
  type OrderItemState,
  type OrderStatusChange,
  ORDER_PLACED,
  ORDER_ACCEPTED,
  ORDER_REJECTED,
  ITEM_TO_CONFIRM,
  ITEM_DONE,
  ITEM_CANCELLED,
  Gateway,
  GatewayCore,
  GatewayDelivery,
  type GatewayResult,
  type GatewayHandlers,
  type GatewayRequestListener,
  type DeliveryKind,
  type GatewayOutcomeName,
  V3Signature,
  type V3SignOptions,
  type V3Answer,
  type V3Headers,
  type V3Verdict,
  V3HttpRequest,
  V3Response,
  type V3Call,
  type V3PrepareOptions,
  type V3Method,
  type V3Query,
  type V3FileInput,
  type V3UploadFile,
  type FileUpload,
  type UploadedFile,
} from '..'
import { createServer, type IncomingMessage } from 'node:http'

const pem: string = '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----'

const privateKey: PrivateKey = PrivateKey.fromText(pem)
const fromDer: PrivateKey = PrivateKey.fromDer(Buffer.from('MII', 'base64'))
const fromBytes: PrivateKey = PrivateKey.fromDer(new Uint8Array(8))
const bits: number = privateKey.bits
const exported: string[] = [
  privateKey.toPkcs8Pem(),
  privateKey.toPkcs1Pem(),
  privateKey.toPkcs8Base64(),
  privateKey.toPkcs1Base64(),
  privateKey.toString(),
]

const publicKey: PublicKey = privateKey.publicKey()
const alipayKey: PublicKey = PublicKey.fromText('MIIBIjANBg...')
const alipayFromDer: PublicKey = PublicKey.fromDer(publicKey.toDer())
const der: Buffer = publicKey.toDer()
const publicText: string[] = [publicKey.toPem(), publicKey.toBase64(), publicKey.fingerprint, publicKey.toString()]
const publicBits: number = publicKey.bits
const same: boolean = publicKey.equals(alipayKey)

const options: SignOptions = { signType: 'RSA2', charset: 'UTF-8' }
const legacy: SignOptions = { signType: 'RSA', charset: 'GBK' }
const signer = new Signer(privateKey)
const configured = new Signer(fromDer, options)
const legacySigner = new Signer(fromBytes, legacy)
const signType: 'RSA2' | 'RSA' = signer.signType
const charset: 'UTF-8' | 'GBK' = configured.charset
const sign: string = signer.sign('a=1')
const signed: SignedContent = legacySigner.signParams({ app_id: '2021000000000001', method: 'x' })
const signedContent: string = signed.content
const signature: string = signed.sign
const bytesSign: string = signer.signBytes(Buffer.from('a=1'))

const verifier = new Verifier(alipayKey, { signType: 'RSA2' })
const verified: void = verifier.verify(signedContent, signature)
verifier.verifyBytes(new Uint8Array([97]), bytesSign)
const verifierType: 'RSA2' | 'RSA' = new Verifier(alipayFromDer).signType

const content: string = signContent({ b: '2', a: '1' })
const pair: KeyPair = generateKeyPair()
const bigger: KeyPair = generateKeyPair(4096)
const own: boolean = looksLikeOwnKey(pair.privateKey, bigger.publicKey)

function describe(error: unknown): string {
  const e = error as AlipayError
  const code: ErrorCode = e.code
  switch (e.code) {
    case 'ALIPAY_API_ERROR':
      return `${e.apiCode ?? ''} ${e.msg ?? ''} ${e.subCode ?? ''} ${e.subMsg ?? ''} ${String(e.signed)} ${e.hint ?? ''}`
    case 'ALIPAY_CONFIG_ERROR':
    case 'ALIPAY_SIGNATURE_ERROR':
    case 'ALIPAY_TRANSPORT_ERROR':
    case 'ALIPAY_PROTOCOL_ERROR':
    case 'ALIPAY_STORE_ERROR':
      return `${code} ${e.kind} ${e.reason} ${e.message}`
  }
}

// The protocol layer.
const configOptions: IsvConfigOptions = {
  appId: '2021000000000001',
  privateKey,
  alipayPublicKey: 'MIIBIjANBg...',
  signType: 'RSA2',
  charset: 'GBK',
  gateway: 'sandbox',
  aesKey: AesKey.fromBase64('aa4BtZ4tspm2wnXLb1ThQA=='),
  maxBodyBytes: 1024,
}
const config = new IsvConfig(configOptions)
const textConfig = new IsvConfig({ appId: '1', privateKey: pem, alipayPublicKey: alipayKey, aesKey: 'aa4B' })
const callOptions: CallOptions = {
  bizContent: { grant_type: 'authorization_code', code: 'P5' },
  appAuthToken: 'token',
  authToken: 'user token',
  notifyUrl: 'https://isv.example.com/notify',
  returnUrl: 'https://isv.example.com/return',
  extraParams: { grant_type: 'authorization_code' },
  encrypt: false,
  timestamp: '2026-11-21 23:04:05',
}
const request: SignedRequest = config.signRequest('alipay.trade.create', callOptions)
const bare: SignedRequest = textConfig.signRequest('alipay.user.info.share')
const textBiz: SignedRequest = config.signRequest('x.y', { bizContent: '{"a":1}' })
const params: Record<string, string> = request.params
const http: HttpRequest = request.httpRequest()
const outputs: string[] = [request.signContent, http.url, http.body, http.contentType, request.pageUrl(),
  request.pageForm(), request.orderString(), String(bare), String(textBiz)]
const oneParam: string | null = request.param('method')
const configInfo: string[] = [config.appId, config.gateway, config.signType, config.charset, String(config)]

const responseVerifier: ResponseVerifier = config.responseVerifier()
const standalone = new ResponseVerifier(alipayKey, { signType: 'RSA2', charset: 'UTF-8', aesKey: 'aa4B', maxBodyBytes: 10 })
const verifiedResponse: VerifiedResponse = responseVerifier.verify('alipay.user.info.share', Buffer.from('{}'))
const fromText: VerifiedResponse = standalone.verify('alipay.user.info.share', '{}')
const certSn: string | null = verifiedResponse.alipayCertSn
const userId: unknown = fromText.fields['user_id']

const notificationVerifier: NotificationVerifier = config.notificationVerifier()
const standaloneNotify = new NotificationVerifier('MIIB...', { defaultSignType: 'RSA', maxBodyBytes: 1024 })
const notification: Notification = notificationVerifier.verifyBody(Buffer.from('a=b'))
const fromParams: Notification = standaloneNotify.verifyParams({ a: 'b' })
function handle(n: Notification): string {
  switch (n.kind) {
    case 'appAuth':
      return `${n.notifyId} ${n.detail.appAuthToken} ${n.detail.appRefreshToken ?? ''} ${n.detail.authAppId} ${n.detail.expiresIn ?? 0} ${n.params['app_id'] ?? ''}`
    case 'message':
      return `${n.msgMethod} ${String(n.appAuthCancelled)} ${JSON.stringify(n.bizContent)} ${n.msgUid ?? ''}`
    case 'serviceMarketOrder':
      return handleOrder(n)
    case 'other':
      return JSON.stringify(n.params)
  }
}
function handleOrder(order: ServiceMarketOrderNotification): string {
  const ids: [string, string, string] = [order.notifyId, order.commodityOrderId, order.merchantPid]
  const counts: [number | null, number | null] = [order.orderItemNum, order.periodDay]
  const texts: Array<string | null> = [
    order.notifyTime, order.appId, order.merchantName, order.consumerMiniAppId, order.orderTime, order.title,
    order.totalPrice, order.itemCode, order.specifications, order.orderTicket, order.serviceCode, order.isvTicket,
    order.contactor, order.phone, order.signedForm,
  ]
  const personal: string = order.phone === null ? '' : shownField('phone', order.phone)
  return `${ids.join()}${counts.join()}${texts.join()}${personal}${order.params['consumer_miniAppId'] ?? ''}`
}
function pluginAuthorisation(n: AppAuthNotification): string | null {
  const plugin: boolean = n.pluginAuthorisation
  const trigger: string | null = n.trigger
  const ids: Array<string | null> = [n.detail.authorisedAppId, n.detail.agentAppId]
  return plugin ? `${trigger}${ids.join()}` : null
}
const personalNames: string[] = personalFields()
const isPersonal: boolean = isPersonalField('phone')
// @ts-expect-error an order's counts are numbers, not text
const notCount: string | null = ({} as ServiceMarketOrderNotification).orderItemNum
// @ts-expect-error an order always has its order number
const notOptional: null = ({} as ServiceMarketOrderNotification).commodityOrderId
const answers: string[] = [SUCCESS_ACK, SERVICE_CHECK, config.serviceCheckAnswer(true), handle(notification),
  handle(fromParams), PRODUCTION_GATEWAY, SANDBOX_GATEWAY]
const aes = AesKey.fromBase64('aa4BtZ4tspm2wnXLb1ThQA==')
const cipher: string = aes.encrypt('text')
const plainBytes: Buffer = aes.decrypt(aes.encrypt(Buffer.from('bytes')))
const times: [string, string, number | null] = [chinaTimestampNow(), chinaTimestamp(0), parseChinaTimestamp('x')]

// Misuse must not type-check.
// @ts-expect-error the sign type is RSA2 or RSA
new IsvConfig({ ...configOptions, signType: 'MD5' })
// @ts-expect-error appId is required
new IsvConfig({ privateKey, alipayPublicKey: alipayKey })
// @ts-expect-error extra parameters are strings
config.signRequest('x.y', { extraParams: { a: 1 } })
// @ts-expect-error a notification kind is one of four
const notKind: Notification['kind'] = 'payment'

// @ts-expect-error unknown sign type
new Signer(privateKey, { signType: 'RSA3' })
// @ts-expect-error unknown charset
new Verifier(alipayKey, { charset: 'latin1' })
// @ts-expect-error a public key cannot sign
new Signer(alipayKey)
// @ts-expect-error params are strings
signContent({ a: 1 })
// @ts-expect-error verify returns nothing
const notBoolean: boolean = verifier.verify('a', 'b')
// @ts-expect-error not an error code
const notCode: ErrorCode = 'ALIPAY_OTHER_ERROR'

// The client, the authorisation helpers and the emulator.
async function flow(isv: IsvConfig): Promise<string[]> {
  const transport: TransportOptions = { connectTimeoutMs: 1000, readTimeoutMs: 5000, maxResponseBytes: 1 << 20, proxy: 'http://127.0.0.1:3128' }
  const client: Client = new Client(isv, transport)
  const emulator: Emulator = Emulator.start({ appId: '2021', appPublicKey: privateKey.publicKey(), port: 0, notifyUrl: 'http://127.0.0.1:1/gw' })
  const types: ApplicationType[] = ['TINYAPP', 'WEBAPP']
  const scopes: UserScope[] = ['auth_user']
  const link: AuthLink = appAuthLink({ host: emulator.baseUrl, appId: '2021', redirectUri: 'https://x/cb', applicationTypes: types })
  const consoleLink: AuthLink = consoleAuthLink({ appId: '2021', redirectUri: 'https://x/cb', applicationTypes: types, state: generateState() })
  const callback: AppAuthCallback = parseAppAuthCallback(await emulator.merchantAuthorizes(link.url), '2021', { state: link.state })
  parseAppAuthCallback(emulator.merchantAuthorizesSync(consoleLink.url), '2021', { allowMissingState: true })
  const tokens: AppAuthToken[] = await client.exchangeAppAuthCode(callback.appAuthCode)
  const token: AppAuthToken = tokens[0]!
  const refreshToken: string | null = token.appRefreshToken
  const info: AppAuthTokenInfo = await client.queryAppAuthToken(token.appAuthToken)
  const valid: boolean = info.valid
  const consent: AuthLink = userConsentLink({ appId: token.authAppId, scopes, redirectUri: 'https://x/cb' })
  const userCallback: UserAuthCallback = parseUserAuthCallback(await emulator.userConsents(consent.url), token.authAppId, { state: consent.state })
  const user: UserToken = await client.exchangeUserAuthCode(userCallback.authCode, token.appAuthToken)
  const profile: UserInfo = await client.userInfoShare(user.accessToken, token.appAuthToken)
  const refreshedUser: UserToken = client.refreshUserTokenSync(user.refreshToken ?? '', token.appAuthToken)
  const refreshed: AppAuthToken[] = client.refreshAppAuthTokenSync(refreshToken ?? '')
  const options: ExecuteOptions = { appAuthToken: token.appAuthToken, bizContent: { a: 1 }, retry: { attempts: 3, backoffMs: 100, idempotent: false } }
  const response: VerifiedResponse = await client.execute('alipay.open.mini.version.list.query', options)
  const syncResponse: VerifiedResponse = client.executeSync('x.y')
  const fault: FaultKind = 'truncated_body'
  emulator.setFault(fault, { times: 1 })
  emulator.setFault('delay', { delayMs: 100 })
  emulator.setFault('hang', { times: 1 })
  emulator.setFault('trickle', { pauseMs: 50, times: 1 })
  emulator.setFault('oversized', { sizeBytes: 10 << 20, times: 1 })
  emulator.setFault(null)
  emulator.setNotifyUrl(null)
  emulator.revoke(token.authAppId)
  emulator.expireAppAuthToken(token.authAppId)
  const delivered: boolean = await emulator.waitForDeliveries(2, 1000)
  const deliveries: Delivery[] = emulator.deliveries()
  const pushKinds: Array<'open_app_auth_notify' | 'alipay.open.auth.appauth.cancelled' | 'servicemarket_order_notify'> =
    deliveries.map((delivery) => delivery.kind)
  // @ts-expect-error a push is an authorisation, a cancellation or a service-market order
  const notPush: Delivery['kind'] = 'open_app_auth'
  const counts: number[] = [emulator.callCount('x.y'), emulator.totalCalls]
  const key: PublicKey = emulator.alipayPublicKey
  const running: boolean = emulator.running
  emulator.stop()
  // @ts-expect-error not a fault kind
  emulator.setFault('explode')
  // @ts-expect-error not an application type
  appAuthLink({ appId: '1', redirectUri: 'https://x', applicationTypes: ['SPACESHIP'] })
  // @ts-expect-error execute resolves to a VerifiedResponse, not a string
  const notString: string = await client.execute('x.y')
  return [
    `${valid}${profile.userId}${refreshedUser}${refreshed.length}${response.fields}${syncResponse.alipayCertSn}`,
    `${delivered}${deliveries.length}${counts}${key.bits}${running}${notString}${statesMatch('a', 'b')}`,
    `${pushKinds.join()}${notPush}`,
    `${APP_AUTH_NOTIFY}${APP_AUTH_CANCELLED}`,
  ]
}

// The merchant authorisation registry.
async function registryUse(client: Client, verifier: NotificationVerifier, tokens: AppAuthToken[]): Promise<string> {
  const options: RegistryOptions = { client, refreshMarginMs: 60_000, tokenKey: TokenKey.fromBase64(generateTokenKey()) }
  const registry: Registry = Registry.open('/tmp/registry.db', options)
  const memory: Registry = Registry.inMemory({ client })
  Registry.open('/tmp/other.db', { tokenKey: generateTokenKey() })
  const shared: Registry = Registry.open('postgres://isv:secret@db.internal:5432/registry?sslmode=verify-full', { client, tokenCacheTtlMs: 1000 })
  const cachedMemory: Registry = Registry.inMemory({ client, tokenCacheTtlMs: 400 })
  const cacheTtl: number | null = shared.tokenCacheTtlMs
  // @ts-expect-error the bound is a number of milliseconds
  Registry.inMemory({ tokenCacheTtlMs: '1s' })
  // @ts-expect-error the bound is read-only
  cachedMemory.tokenCacheTtlMs = 1
  Registry.open('mysql://isv:secret@db.internal:3306/registry?ssl-mode=VERIFY_IDENTITY&pool_max_size=16', options)
  Registry.open('memory:')
  shared.close()
  TokenKey.fromBytes(new Uint8Array(32))
  const outcomes: IngestOutcome[] = await registry.ingestTokens(tokens)
  const outcomesSync: IngestOutcome[] = registry.ingestTokensSync(tokens)
  const refreshed: IngestOutcome[] = await registry.ingestRefreshedTokens(tokens)
  const refreshedSync: IngestOutcome[] = registry.ingestRefreshedTokensSync(tokens)
  const notification: Notification = verifier.verifyBody('a=b')
  const outcome: IngestOutcome = await registry.ingestNotification(notification)
  const outcomeSync: IngestOutcome = registry.ingestNotificationSync(notification)
  const info: AppAuthTokenInfo = await client.queryAppAuthToken('t')
  const queried: IngestOutcome = await registry.ingestQuery('t', info)
  const queriedSync: IngestOutcome = registry.ingestQuerySync('t', info)
  const record: MerchantAuthorisation | null = await registry.get('2021')
  const recordSync: MerchantAuthorisation | null = registry.getSync('2021')
  const status: AuthStatus | undefined = record?.status
  const expiry: number | null | undefined = record?.expiresAtMs
  const lease: RefreshLease | null | undefined = record?.refreshLease
  const all: MerchantAuthorisation[] = [...(await registry.list()), ...(await memory.byMerchant('2088')), await registry.revoke('2021')]
  const allSync: MerchantAuthorisation[] = [...registry.listSync(), ...memory.byMerchantSync('2088'), registry.revokeSync('2021')]
  const token: string = await registry.tokenFor('2021')
  const tokenSync: string = registry.tokenForSync('2021')
  const byPid: string = await registry.tokenForMerchant('2088')
  const answer: VerifiedResponse = await registry.executeFor('2021', 'x.y', { bizContent: { a: 1 }, retry: { attempts: 2 } })
  const answerSync: VerifiedResponse = registry.executeForSync('2021', 'x.y')
  const check: string = await registry.integrityCheck()
  const checkSync: string = registry.integrityCheckSync()
  const closed: boolean = registry.closed
  registry.close()
  // @ts-expect-error not an ingestion outcome
  const notOutcome: IngestOutcome = 'maybe'
  // @ts-expect-error tokenFor resolves to a string, it is not one
  const notSync: string = registry.tokenFor('2021')
  // @ts-expect-error ingestTokens takes AppAuthToken objects
  registry.ingestTokens(['token'])
  // @ts-expect-error get resolves to a record, it is not one
  const notRecord: MerchantAuthorisation | null = registry.get('2021')
  // @ts-expect-error list resolves to the records
  const notList: MerchantAuthorisation[] = registry.list()
  // @ts-expect-error ingestNotification resolves to an outcome
  const notIngested: IngestOutcome = registry.ingestNotification(notification)
  const sync = `${outcomesSync}${refreshedSync}${outcomeSync}${queriedSync}${recordSync?.status}${allSync.length}${checkSync}`
  return `${sync}${notRecord}${notList.length}${notIngested}${outcomes}${refreshed}${outcome}${queried}${status}${expiry}${lease?.untilMs}${all.length}${token}${tokenSync}${byPid}${answer.fields}${answerSync.fields}${check}${closed}${notOutcome}${notSync}${cacheTtl}`
}

// A merchant's token copied from the open-platform console (方法二), imported into the registry.
async function registryImportUse(registry: Registry, emulator: Emulator): Promise<string> {
  const entry: ConsoleToken = emulator.consoleAppAuthToken('2021')
  const shown: string = `${entry.authAppId}${entry.merchantPid}${entry.authStart}${entry.authEnd}`
  const imported: TokenImport = await registry.importToken(entry.appAuthToken)
  const withRefresh: TokenImport = registry.importTokenSync(entry.appAuthToken, 'refresh')
  const outcome: IngestOutcome = imported.outcome
  const origin: AuthOrigin = withRefresh.record.origin
  // @ts-expect-error not an origin
  const notOrigin: AuthOrigin = 'copied'
  // @ts-expect-error importToken resolves to a TokenImport, it is not one
  const notSync: TokenImport = registry.importToken('t')
  return `${shown}${outcome}${origin}${notOrigin}${notSync}`
}

async function certMode(): Promise<string> {
  const bundleText: CertificateInput = '-----BEGIN CERTIFICATE-----\n...'
  const certBytes: CertificateInput = Buffer.from('...')
  const sns: string[] = [appCertSn(certBytes), alipayRootCertSn(bundleText), ALIPAY_CERT_DOWNLOAD_METHOD]
  const certificate: Certificate = Certificate.parse(certBytes)
  const fromDer: Certificate = Certificate.fromDer(certificate.der)
  const facts: string[] = [certificate.sn, certificate.issuer, certificate.subject, certificate.serialNumber, certificate.signatureAlgorithm, certificate.pem, certificate.fingerprint]
  const dates: Date[] = [certificate.notBefore, certificate.notAfter]
  const rsa: boolean = certificate.isRsaSigned && certificate.equals(fromDer)
  const key: PublicKey = certificate.publicKey()
  const all: Certificate[] = parseCertificates(bundleText)
  const bundle: RootBundle = RootBundle.parse(bundleText)
  const roots: Certificate[] = bundle.roots
  const leaf: Certificate = bundle.verifyChain(certificate, new Date(0))
  const leaves: Certificate[] = [bundle.verifyChain(certBytes, Date.now()), bundle.verifyChain('PEM')]
  const config = new IsvConfig({ appId: '2021', privateKey, appCert: certBytes, alipayCert: 'PEM', rootCert: bundleText })
  const configSns: (string | null)[] = [config.appCertSn, config.alipayCertSn, config.alipayRootCertSn]
  const inCertMode: boolean = config.isCertMode
  const trusted: string[] = config.trustedAlipayCertSns()
  const alipayPublic: PublicKey = config.alipayPublicKey
  const checked: ResponseCheck = config.responseVerifier().check('x.y', '{}')
  const needed: string | null = checked.needsCertificate
  const fields: Record<string, any> | undefined = checked.response?.fields
  const client = new Client(config)
  const downloaded: boolean = await client.fetchAlipayCert('sn')
  const downloadedSync: boolean = client.fetchAlipayCertSync('sn')
  const notification: VerifiedNotification = await client.verifyNotification(Buffer.from('a=b'))
  const notificationSync: VerifiedNotification = client.verifyNotificationSync('a=b')
  const emulator = Emulator.start({ appId: '2021', appPublicKey: key, certMode: true })
  const emulated: string[] = [emulator.rootCertBundlePem, emulator.alipayRootCertSn, emulator.alipayCertPem, emulator.alipayCertSn, emulator.issueAppCert(key), emulator.rotateAlipayCert()]
  const emulatorCertMode: boolean = emulator.isCertMode
  // @ts-expect-error certificates are file contents, not numbers
  Certificate.parse(42)
  // @ts-expect-error the SNs of a configuration may be null
  const notNull: string = config.appCertSn
  // @ts-expect-error verifyChain takes a Date or epoch milliseconds
  bundle.verifyChain(certificate, '2024-01-01')
  return `${sns}${facts}${dates}${rsa}${all.length}${roots.length}${leaf.sn}${leaves.length}${configSns}${inCertMode}${trusted}${alipayPublic}${needed}${fields}${downloaded}${downloadedSync}${notification.kind}${notificationSync.kind}${emulated}${emulatorCertMode}${notNull}`
}

// Service-market orders: the emulator's subscription, the order calls and their Sync twins.
async function servicemarket(client: Client, emulator: Emulator): Promise<string> {
  const options: SubscribeOptions = { merchantPid: '2088', authAppId: '2021', title: '插件', totalPrice: '0.00', authorisationFirst: true, unknownToQuery: false }
  const subscription: Subscription = emulator.subscribe(options)
  const defaults: Subscription = emulator.subscribe()
  const ids: string[] = [subscription.commodityOrderId, subscription.merchantPid, subscription.authAppId, defaults.authAppId]
  const id = subscription.commodityOrderId
  const page: ServiceMarketOrderPage = await client.queryServicemarketOrder(id)
  const second: ServiceMarketOrderPage = client.queryServicemarketOrderSync(id, 2)
  const pages: ServiceMarketOrderPage[] = await client.servicemarketOrderPages(id)
  const pagesSync: ServiceMarketOrderPage[] = client.servicemarketOrderPagesSync(id)
  const facts: Array<string | null> = [page.commodityId, page.status, page.specifications]
  const numbers: number[] = [page.currentPage, page.totalSize, second.totalSize, SERVICEMARKET_ORDER_PAGE_SIZE]
  const flags: Array<boolean | null> = [page.autoUpgrade, page.hasNext]
  const item: ServiceMarketOrderItem | undefined = pages[0]?.items[0]
  const itemTexts: Array<string | null | undefined> = [item?.orderStatus, item?.miniAppId, item?.miniAppName, item?.shopId,
    item?.shopName, item?.merchantPid, item?.merchantName, item?.commodityId, item?.serviceEffectDate, item?.serviceExpireDate]
  const raw: unknown = item?.fields['order_status']
  const miniApp: ServiceMarketOrderItemTarget = { miniAppId: subscription.authAppId }
  const shop: ServiceMarketOrderItemTarget = { shopId: '2015' }
  const accepted: void = await client.acceptServicemarketOrder(id)
  client.acceptServicemarketOrderSync(id)
  await client.rejectServicemarketOrder(id, '暂不支持')
  client.rejectServicemarketOrderSync(id, '暂不支持')
  await client.completeServicemarketOrderItem(id, miniApp)
  client.completeServicemarketOrderItemSync(id, shop)
  await client.confirmServicemarketOrderItem(id, miniApp, 'token')
  client.confirmServicemarketOrderItemSync(id, { shopId: '2015' }, 'token')
  await client.cancelServicemarketOrderItem(id, shop, '不再需要')
  client.cancelServicemarketOrderItemSync(id, miniApp, '不再需要')
  const methods: string[] = [SERVICEMARKET_ORDER_QUERY_METHOD, SERVICEMARKET_ORDER_ACCEPT_METHOD, SERVICEMARKET_ORDER_REJECT_METHOD,
    SERVICEMARKET_ORDER_ITEM_COMPLETE_METHOD, SERVICEMARKET_ORDER_ITEM_CONFIRM_METHOD, SERVICEMARKET_ORDER_ITEM_CANCEL_METHOD, SERVICEMARKET_ORDER_NOTIFY]
  // @ts-expect-error an item is a mini program or a shop, not both
  const both: ServiceMarketOrderItemTarget = { miniAppId: '2021', shopId: '2015' }
  // @ts-expect-error an item names one of them
  client.completeServicemarketOrderItem(id, {})
  // @ts-expect-error the ids are strings
  client.cancelServicemarketOrderItem(id, { miniAppId: 2021 }, '不再需要')
  // @ts-expect-error confirming needs the merchant's token
  client.confirmServicemarketOrderItem(id, miniApp)
  // @ts-expect-error a price is text: money stays text
  emulator.subscribe({ totalPrice: 9.9 })
  // @ts-expect-error the order calls resolve to nothing
  const notPage: ServiceMarketOrderPage = await client.acceptServicemarketOrder(id)
  // @ts-expect-error queryServicemarketOrder resolves to a page, it is not one
  const notSync: ServiceMarketOrderPage = client.queryServicemarketOrder(id)
  // @ts-expect-error pages are numbers
  client.queryServicemarketOrder(id, '1')
  return `${ids}${facts}${numbers}${flags}${itemTexts}${String(raw)}${String(accepted)}${pagesSync.length}${methods}${String(both)}${String(notPage)}${String(notSync)}`
}

// Schema 3: several apps in one registry, and the service-market orders it keeps.
async function registryOrders(client: Client, plugin: Client): Promise<string> {
  const registry = Registry.inMemory({ client, clients: [plugin] })
  Registry.open('/tmp/apps.db', { clients: [client, plugin] })
  const defaultApp: string = registry.defaultAppId
  const forApp: MerchantAuthorisation | null = await registry.getForApp('2021', '2021004')
  const forAppSync: MerchantAuthorisation | null = registry.getForAppSync('2021', '2021004')
  const appId: string | undefined = forApp?.appId
  const token: string = await registry.tokenForApp('2021', '2021004')
  const tokenSync: string = registry.tokenForAppSync('2021', '2021004')
  const order: OrderRecord | null = await registry.order('2026')
  const orders: OrderRecord[] = await registry.orders()
  const authorisation: MerchantAuthorisation | null = await registry.orderAuthorisation('2026')
  const orderSync: OrderRecord | null = registry.orderSync('2026')
  const ordersSync: OrderRecord[] = registry.ordersSync()
  const authorisationSync: MerchantAuthorisation | null = registry.orderAuthorisationSync('2026')
  // @ts-expect-error order resolves to the order
  const notOrder: OrderRecord | null = registry.order('2026')
  const item: ServiceMarketOrderItemTarget = { miniAppId: '2021004' }
  const records: OrderRecord[] = [
    await registry.acceptOrder('2026'),
    registry.acceptOrderSync('2026'),
    await registry.rejectOrder('2026', '暂不支持'),
    registry.rejectOrderSync('2026', '暂不支持'),
    await registry.completeOrderItem('2026', item),
    registry.completeOrderItemSync('2026', { shopId: '2015' }),
    await registry.confirmOrderItem('2026', item),
    registry.confirmOrderItemSync('2026', item),
    await registry.cancelOrderItem('2026', item, '不再需要'),
    registry.cancelOrderItemSync('2026', item, '不再需要'),
    await registry.refreshOrder('2026'),
    registry.refreshOrderSync('2026'),
  ]
  const first = records[0]!
  const texts: string[] = [first.commodityOrderId, first.appId, first.merchantPid, first.status, first.toString()]
  const optional: Array<string | null> = [first.consumerMiniAppId, first.merchantName, first.title, first.totalPrice,
    first.orderTime, first.contactor, first.phone, first.notifyId, first.itemStatus(item)]
  const numbers: Array<number | null> = [first.version, first.createdAtMs, first.updatedAtMs, first.notifiedAtMs]
  const items: OrderItemState[] = first.items
  const state: [string | null, string | null, string] = [items[0]!.miniAppId, items[0]!.shopId, items[0]!.status]
  const history: OrderStatusChange[] = first.history
  const source: 'notification' | 'accept' | 'reject' | 'item.complete' | 'item.confirm' | 'item.cancel' | 'query' = history[0]!.source
  const change: [string, string | null, number] = [history[0]!.status, history[0]!.item, history[0]!.atMs]
  const params: Record<string, string> = first.params
  const statuses: string[] = [ORDER_PLACED, ORDER_ACCEPTED, ORDER_REJECTED, ITEM_TO_CONFIRM, ITEM_DONE, ITEM_CANCELLED]
  // @ts-expect-error clients is a list
  Registry.inMemory({ clients: client })
  // @ts-expect-error acceptOrder resolves to an OrderRecord, it is not one
  const notSync: OrderRecord = registry.acceptOrder('2026')
  // @ts-expect-error the default app is read, not called
  registry.defaultAppId()
  // @ts-expect-error not a source of change
  const notSource: OrderStatusChange['source'] = 'console'
  // @ts-expect-error the item is a target, not an id
  registry.completeOrderItem('2026', '2021004')
  const reads = `${forAppSync}${orderSync}${ordersSync.length}${authorisationSync}${notOrder}`
  return `${reads}${defaultApp}${appId}${token}${tokenSync}${order}${orders.length}${authorisation}${texts}${optional}${numbers}${state}${source}${change}${Object.keys(params)}${statuses}${String(notSync)}${notSource}`
}

// The application gateway: handlers per kind, handle(), the node:http / Express listener, and the
// native two-phase GatewayCore.
async function gatewayUse(config: IsvConfig, registry: Registry): Promise<string> {
  const handlers: GatewayHandlers = {
    onOrder: async (delivery) => {
      const id: string = delivery.notification.commodityOrderId
      const phone: string | null = delivery.notification.phone
      await registry.acceptOrder(id + String(phone))
    },
    onAuthorisation: (delivery) => {
      const plugin: boolean = delivery.notification.pluginAuthorisation
      const kind: 'authorisation' = delivery.kind
      return void `${plugin}${kind}`
    },
    onCancellation: (delivery) => void delivery.notification.msgMethod,
    onOther: undefined,
  }
  const gateway = new Gateway(config, registry, handlers)
  new Gateway(config, registry)
  const limit: number = gateway.maxBodyBytes
  const result: GatewayResult = await gateway.handle('application/x-www-form-urlencoded', Buffer.from('a=b'))
  await gateway.handle(undefined, 'a=b')
  const answer: [number, string, string] = [result.status, result.contentType, result.body]
  const outcome: GatewayOutcomeName = result.outcome
  const error: AlipayError | null = result.error
  const ingest: IngestOutcome | null = result.ingest
  const verified: boolean | null = result.verified
  const listener: GatewayRequestListener = gateway.middleware({ onResult: (done, request) => void `${done.status}${request.url}` })
  createServer(gateway.middleware())
  createServer(listener)
  const core = new GatewayCore(config, registry)
  const received: GatewayResult | GatewayDelivery = await core.receive(null, Buffer.from('a=b'))
  const receivedSync: GatewayResult | GatewayDelivery = core.receiveSync('text/plain', 'a=b')
  let finished: GatewayResult | null = null
  if (received instanceof GatewayDelivery) {
    const kind: DeliveryKind = received.kind
    const notifyId: string | null = received.notifyId
    const stored: IngestOutcome = received.ingest
    const notification: Notification = received.notification
    finished = await core.finish(received, kind === 'order' ? null : 'why')
    core.finishSync(received)
    void `${notifyId}${stored}${notification.kind}`
  }
  // @ts-expect-error not a handler name
  new Gateway(config, registry, { onOrders: () => {} })
  // @ts-expect-error an order delivery's notification is an order message
  const wrong: Gateway = new Gateway(config, registry, { onOrder: (delivery) => void delivery.notification.detail })
  // @ts-expect-error not a delivery kind
  const notKind: DeliveryKind = 'payment'
  // @ts-expect-error not an outcome
  const notOutcome: GatewayOutcomeName = 'ok'
  // @ts-expect-error handle resolves to a result, it is not one
  const notResult: GatewayResult = gateway.handle(null, 'a=b')
  // @ts-expect-error the body is bytes or text
  gateway.handle(null, { a: 'b' })
  return `${limit}${answer}${outcome}${error?.code}${ingest}${verified}${String(receivedSync)}${finished?.status}${String(wrong)}${notKind}${notOutcome}${String(notResult)}`
}

// OpenAPI v3: sign a request, verify an answer in every header shape.
async function v3Use(config: IsvConfig, incoming: IncomingMessage, rawBody: Buffer): Promise<string> {
  const options: V3SignOptions = {
    method: 'POST',
    requestTarget: '/v3/alipay/open/auth/token/app',
    body: '{"grant_type":"authorization_code"}',
    appAuthToken: 'token',
  }
  const fresh: V3Signature = config.v3Sign(options)
  const fixed: V3Signature = config.v3Sign({ method: 'GET', requestTarget: '/v3/x', nonce: 'n', timestampMs: Date.now() })
  const parts: string[] = [fresh.authorization, fresh.authString, fresh.stringToSign, String(fixed), fixed.toString()]
  const headers: Record<string, string> = fresh.headers
  const response = await fetch('https://openapi.alipay.com/v3/alipay/open/auth/token/app', {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: options.body ?? '',
  })
  const body: Buffer = Buffer.from(await response.arrayBuffer())
  const shapes: V3Headers[] = [
    response.headers,
    incoming.headers,
    incoming.rawHeaders,
    [['alipay-signature', 's'], ['alipay-nonce', 'n']],
    { 'alipay-signature': 's', 'set-cookie': ['a', 'b'], absent: undefined },
    new Map([['alipay-nonce', 'n']]),
  ]
  const verdicts: V3Verdict[] = shapes.map((shape) => config.v3Verify({ status: response.status, headers: shape, body }))
  const answer: V3Answer = { status: incoming.statusCode ?? 0, headers: incoming.headers, body: rawBody }
  const text: 'verified' | 'unsigned' = config.v3Verify({ ...answer, body: '{}' })
  // @ts-expect-error the verdict is verified or unsigned
  const notVerdict: V3Verdict = 'signature_error'
  // @ts-expect-error the request target is required
  config.v3Sign({ method: 'GET' })
  // @ts-expect-error the timestamp is a number of milliseconds
  config.v3Sign({ method: 'GET', requestTarget: '/v3/x', nonce: 'n', timestampMs: '1796600000000' })
  // @ts-expect-error header values are text
  config.v3Verify({ status: 200, headers: { 'alipay-nonce': 1 }, body })
  // @ts-expect-error headers are not one text
  config.v3Verify({ status: 200, headers: 'alipay-nonce: n', body })
  // @ts-expect-error the body is bytes or text
  config.v3Verify({ status: 200, headers: {}, body: { code: '10000' } })
  // @ts-expect-error the status is a number
  config.v3Verify({ status: '200', headers: {}, body })
  return `${parts.join()}${verdicts.join()}${text}${notVerdict}`
}

// OpenAPI v3 calls: the client, the registry, the sans-IO pair, the typed errors.
async function v3Calls(config: IsvConfig, client: Client, registry: Registry, emulator: Emulator): Promise<string> {
  const base: string = `${config.v3Base}${client.v3Base}`
  const upload: V3UploadFile = { fileName: 'shop.jpg', content: Buffer.from([0xff, 0xd8]) }
  const fromPath: V3UploadFile = { path: '/tmp/shop.jpg' }
  const file: V3FileInput = { field: 'file_content', path: '/tmp/shop.jpg', contentType: 'image/jpeg' }
  const query: V3Query[] = [{ a: '1', b: ['2', '3'] }, [['a', '1']], new Map([['a', '1']]), new URLSearchParams({ a: '1' })]
  const method: V3Method = 'PATCH'
  const call: V3Call = {
    method: 'POST',
    path: '/v3/alipay/open/mini/version/list/query',
    query: { scopes: 'auth_base' },
    body: { bundle_id: 'com.alipay.alipaywallet' },
    appAuthToken: 'token',
    encrypt: false,
    files: [file],
    requestId: 'r-1',
  }
  const response: V3Response = await client.executeV3(call)
  const blocking: V3Response = client.executeV3Sync({ method: 'GET', path: '/v3/x', body: '{}' })
  const fields: Record<string, any> = response.fields
  const parts: Array<string | number | boolean | null> = [response.status, response.body, response.traceId, response.verified, blocking.toString()]
  const tokens: AppAuthToken[] = [...(await client.exchangeAppAuthCodeV3('code')), ...client.refreshAppAuthTokenV3Sync('refresh')]
  const refreshed: AppAuthToken[] = await client.refreshAppAuthTokenV3('refresh')
  const info: AppAuthTokenInfo = await client.queryAppAuthTokenV3('token')
  const infoSync: AppAuthTokenInfo = client.queryAppAuthTokenV3Sync('token')
  const user: UserToken = await client.exchangeUserAuthCodeV3('code', 'token')
  const userRefreshed: UserToken = await client.refreshUserTokenV3(user.refreshToken ?? '', null)
  const profile: UserInfo = await client.userInfoShareV3(user.accessToken)
  const uploaded: FileUpload = await client.uploadFileV3('shop_image', upload, 'token')
  const uploadedSync: FileUpload = client.uploadFileV3Sync('shop_image', fromPath)
  const stored: UploadedFile | null = emulator.uploadedFile(uploaded.fileId)
  const delegated: V3Response = await registry.executeV3For('2021000000000002', { method: 'GET', path: '/v3/x' })
  const delegatedSync: V3Response = registry.executeV3ForSync('2021000000000002', call)
  const fixed: V3PrepareOptions = { nonce: 'n', timestampMs: 1796600000000 }
  const prepared: V3HttpRequest = config.prepareV3(call, fixed)
  const headers: Record<string, string> = prepared.headers
  const sent: Buffer = prepared.body
  const request: Array<string | boolean> = [prepared.method, prepared.url, prepared.requestTarget, prepared.authorization, prepared.stringToSign, prepared.encrypted]
  const read: V3Response = config.readV3Answer({ status: 200, headers: [['alipay-nonce', 'n']], body: sent }, prepared.encrypted)
  const unencrypted: V3Response = config.readV3Answer({ status: 200, headers: {}, body: '{}' })
  const withBase = new IsvConfig({ appId: '1', privateKey: pem, alipayPublicKey: pem, v3Base: 'sandbox' })
  try {
    await client.executeV3(call)
  } catch (caught) {
    const error = caught as AlipayError
    const status: number | null | undefined = error.httpStatus
    const trace: string | null | undefined = error.traceId
    const links: string[] | undefined = error.links
    void [status, trace, links]
  }
  // @ts-expect-error not a v3 method
  const notMethod: V3Method = 'FETCH'
  // @ts-expect-error a file has bytes or a path, not both
  const both: V3UploadFile = { fileName: 'a.jpg', content: Buffer.from([1]), path: '/tmp/a.jpg' }
  // @ts-expect-error bytes need their file name
  const nameless: V3UploadFile = { content: Buffer.from([1]) }
  // @ts-expect-error a file of a call needs its field
  const fieldless: V3FileInput = { fileName: 'a.jpg', content: Buffer.from([1]) }
  // @ts-expect-error query values are text
  const numbers: V3Query = { page: 1 }
  // @ts-expect-error the path is required
  config.prepareV3({ method: 'GET' })
  // @ts-expect-error the body is JSON text or an object, not bytes as a number
  client.executeV3({ method: 'POST', path: '/v3/x', body: 42 })
  // @ts-expect-error fields are read, not written
  response.fields = {}
  return `${base}${method}${query.length}${String(fields)}${parts.join()}${tokens.length}${refreshed.length}${info.valid}${infoSync.valid}${userRefreshed.accessToken}${profile.userId}${uploadedSync.fileId}${stored?.md5}${delegated.status}${delegatedSync.status}${Object.keys(headers)}${request.join()}${read.body}${unencrypted.body}${withBase.v3Base}${notMethod}${String(both)}${String(nameless)}${String(fieldless)}${String(numbers)}`
}

// The observability events and counters: closed sets of kinds, outcomes and signed forms.
function observeUse(): string {
  const id: number = onEvent((event: ObservedEvent) => {
    const kind: 'call' | 'notification' | 'refresh' | 'revocation' = event.kind
    const form: 'v1' | 'v1+empty' | 'v2' | 'v2+empty' | 'v1+alipay_cert_sn' | 'v1+empty+alipay_cert_sn' | 'v2+alipay_cert_sn' | 'v2+empty+alipay_cert_sn' | null =
      event.signedForm
    // @ts-expect-error a signed form is one of the eight names
    const notForm: ObservedEvent['signedForm'] = 'v3'
    console.log(kind, form, notForm, event.outcome)
  })
  const samples: MetricSample[] = metricsSnapshot()
  const outcomes: Array<'success' | 'config' | 'signature' | 'api' | 'transport' | 'protocol' | 'store'> =
    samples.map((sample) => sample.outcome)
  // @ts-expect-error a counter's kind is one of four
  const notSampleKind: MetricSample['kind'] = 'upload'
  const stopped: boolean = offEvent(id)
  return `${outcomes.join()}${samples.map((sample) => sample.kind).join()}${notSampleKind}${stopped}`
}

export const used = [
  observeUse,
  v3Calls,
  v3Use,
  flow,
  servicemarket,
  registryOrders,
  gatewayUse,
  registryUse,
  registryImportUse,
  certMode,
  bits, exported, der, publicText, publicBits, same, signType, charset, sign, verified, verifierType,
  content, own, describe, notBoolean, notCode, params, outputs, oneParam, configInfo, certSn, userId,
  answers, cipher, plainBytes, times, notKind, pluginAuthorisation, personalNames, isPersonal, notCount,
  notOptional,
]
