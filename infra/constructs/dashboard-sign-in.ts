import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { DEFAULT_GROUP_PAGES } from '../../src/aws/auth/access.js';
import { CALLBACK_PATH, SIGNED_OUT_PATH } from '../../src/aws/auth/hosted-ui.js';
import { acknowledge } from '../nag.js';
import type { Settings } from '../settings.js';

export interface DashboardSignInProps {
  settings: Settings;
  /** https://<distribution domain>: the callback and sign-out URLs hang off it. */
  publicOrigin: string;
  /** Name of the SSM parameter the gate reads its sign-in settings from. */
  parameterName: string;
}

/** The gate's SSM parameter name for a stack prefix (a plain string: the function must not reference the client). */
export const authParameterName = (prefix: string) => `/${prefix}/dashboard-auth`;

/**
 * Who may open the dashboards: a Cognito user pool where only administrators create users (no self
 * sign-up), MFA by TOTP, one group per audience (cfo, credit, marketing), managed sign-in pages and a
 * public app client (authorization code + PKCE; no client secret to keep). The gate reads pool, client
 * and domain from one SSM parameter.
 */
export class DashboardSignIn extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: DashboardSignInProps) {
    super(scope, id);
    const s = props.settings;
    const stack = Stack.of(this);
    const plus = s.cognitoFeaturePlan === 'plus';
    this.userPool = new cognito.UserPool(this, 'Users', {
      userPoolName: `${s.prefix}-dashboards`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: s.mfa === 'required' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: plus ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: plus ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      deletionProtection: true,
      // The user list is the customer's; a stack deletion must not take it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (s.mfa === 'optional') {
      acknowledge(this.userPool, {
        id: 'AwsSolutions-COG2',
        reason: 'The operator chose optional MFA (setting mfa=optional): each user may enrol TOTP; the default requires it.',
      });
    }
    if (!plus) {
      acknowledge(this.userPool, {
        id: 'AwsSolutions-COG8',
        reason: 'The operator chose the essentials feature plan (setting cognitoFeaturePlan); users are admin-created and MFA applies.',
      });
    }
    for (const group of Object.keys(DEFAULT_GROUP_PAGES)) {
      new cognito.CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description: `Dashboards: ${DEFAULT_GROUP_PAGES[group]!.join(', ')}`,
      });
    }
    this.domain = this.userPool.addDomain('SignInDomain', {
      cognitoDomain: { domainPrefix: s.authDomainPrefix ?? `${s.prefix}-${stack.account}` },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.client = this.userPool.addClient('Dashboards', {
      userPoolClientName: 'dashboards',
      generateSecret: false,
      // Sign-in happens on the managed pages only: no password flows through this client.
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${props.publicOrigin}${CALLBACK_PATH}`],
        logoutUrls: [`${props.publicOrigin}${SIGNED_OUT_PATH}`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
    });
    // Without the property Cognito allows SRP and custom auth too; the managed pages need neither from this client.
    (this.client.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];
    // Managed login shows a client's pages only once that client has a style; Cognito's default one.
    new cognito.CfnManagedLoginBranding(this, 'SignInPages', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    }).node.addDependency(this.domain);
    this.parameter = new ssm.StringParameter(this, 'GateSettings', {
      parameterName: props.parameterName,
      description: 'Creditlake dashboards sign-in: user pool, app client, hosted UI and public origin (read by the gate)',
      stringValue: stack.toJsonString({
        userPoolId: this.userPool.userPoolId,
        clientId: this.client.userPoolClientId,
        domainUrl: this.domain.baseUrl(),
        publicOrigin: props.publicOrigin,
      }),
    });
  }
}
