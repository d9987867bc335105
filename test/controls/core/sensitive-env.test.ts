import { isSensitiveEnvName, sensitiveLiteral, wordsOf } from '../../../src/controls/core/sensitive-env';

describe('wordsOf', () => {
  test.each([
    ['DB_PASSWORD', ['DB', 'PASSWORD']],
    ['dbPassword', ['DB', 'PASSWORD']],
    ['APIKey', ['API', 'KEY']],
    ['oauth2-client.secret', ['OAUTH2', 'CLIENT', 'SECRET']],
  ])('%s', (name, words) => {
    expect(wordsOf(name)).toEqual(words);
  });
});

describe('isSensitiveEnvName', () => {
  test.each([
    'PASSWORD', 'DB_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'PGPASSWORD', 'dbPassword', 'DB_PASSWD', 'SSH_PASSPHRASE',
    'SECRET', 'APP_SECRET', 'CLIENT_SECRET', 'SECRET_KEY_BASE', 'NEXTAUTH_SECRET',
    'TOKEN', 'GITHUB_TOKEN', 'accessToken', 'SLACK_BOT_TOKEN', 'MYACCESSTOKEN',
    'API_KEY', 'APIKEY', 'apiKey', 'STRIPE_API_KEY', 'PRIVATE_KEY', 'JWT_PRIVATE_KEY_PEM', 'AWS_SECRET_ACCESS_KEY',
    'AWS_ACCESS_KEY_ID', 'AZURE_STORAGE_ACCOUNT_KEY', 'JWT_SIGNING_KEY', 'ENCRYPTION_KEY',
    'CREDENTIALS', 'DB_CREDENTIAL', 'REGISTRY_CREDS', 'AUTH', 'BASIC_AUTH', 'AUTHORIZATION', 'AUTH_HEADER_VALUE',
    'SMTP_PASS', 'DB_PWD', 'HTPASSWD',
  ])('%s looks secret', name => {
    expect(isSensitiveEnvName(name)).toBe(true);
  });

  test.each([
    'TOKEN_TTL_SECONDS', 'PASSWORD_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'SECRET_NAME',
    'SECRETS_DIR', 'AUTH_URL', 'TOKEN_ENDPOINT', 'AUTH_ENABLED', 'AUTH_MODE', 'AUTH_TYPE', 'AUTH_PROVIDER',
    'PASSWORD_MIN_LENGTH', 'MAX_TOKENS', 'NUM_TOKENS', 'MIN_PASSWORD_LENGTH', 'TOKEN_AUDIENCE', 'TOKEN_ISSUER',
    'JWT_PUBLIC_KEY', 'TOKEN_PUBKEY', 'API_KEY_HEADER', 'CSRF_TOKEN_HEADER', 'AUTH_USER', 'DB_USERNAME',
    'PASS_THROUGH', 'PWD', 'OLDPWD', 'BYPASS', 'TOKENIZER_MODEL', 'SECRETARY', 'KEY', 'CACHE_KEY', 'PUBLIC_KEY',
    'OAUTH_CLIENT_ID', 'NEXTAUTH_URL', 'LOG_LEVEL', 'DATABASE_URL', '', '___',
  ])('%s does not', name => {
    expect(isSensitiveEnvName(name)).toBe(false);
  });
});

describe('sensitiveLiteral', () => {
  test.each([
    ['DB_PASSWORD', 'hunter2'],
    ['DB_PASSWORD', 1234],
    ['GOOGLE_APPLICATION_CREDENTIALS', '{"type": "service_account"}'],
    ['GOOGLE_APPLICATION_CREDENTIALS', 'relative/key.json'],
    ['APP_SECRET', 'prefix-$(OTHER)'],
    ['TLS', '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----'],
    ['DATABASE_URL', 'postgres://app:s3cr3t@db:5432/app'],
    ['REDIS_URL', 'redis://:s3cr3t@redis:6379'],
    ['UPSTREAM_HEADER', 'Bearer abcdefghijklmnop'],
    ['ID', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdef'],
  ])('%s=%s is reported', (name, value) => {
    expect(sensitiveLiteral(name, value)).toBeDefined();
  });

  test.each([
    ['DB_PASSWORD', ''],
    ['DB_PASSWORD', '   '],
    ['DB_PASSWORD', undefined],
    ['DB_PASSWORD', null],
    ['DB_PASSWORD', { x: 1 }],
    ['AUTH', true],
    ['AUTH', 'false'],
    ['REQUIRE_AUTH', 'yes'],
    ['GOOGLE_APPLICATION_CREDENTIALS', '/var/run/secrets/gcp/key.json'],
    ['APP_SECRET', '$(APP_SECRET_FROM_FILE)'],
    ['DATABASE_URL', 'postgres://app:$(DB_PASSWORD)@db:5432/app'],
    ['DATABASE_URL', 'postgres://app@db:5432/app'],
    ['SITE_URL', 'https://example.com/a:b@c'],
    ['LOG_LEVEL', 'debug'],
    [42, 'hunter2'],
  ])('%s=%s is not', (name, value) => {
    expect(sensitiveLiteral(name, value)).toBeUndefined();
  });

  test('the reason never contains the value', () => {
    expect(sensitiveLiteral('DB_PASSWORD', 'hunter2')).not.toContain('hunter2');
    expect(sensitiveLiteral('DATABASE_URL', 'postgres://app:s3cr3t@db/app')).not.toContain('s3cr3t');
  });
});
