/**
 * Every GraphQL operation the web app sends, in one place. The build (gateway/web/build.ts)
 * validates each against the API schema of the committed schema/supergraph.graphql, so a schema
 * change that breaks a screen breaks `npm run build` and `npm test`. Plain strings, no DOM: this
 * module is compiled for Node (the check) and bundled into the browser app.
 */
const GUARANTEE = `guarantee { status deadline daysLeft limitDays limitName daysWaited applies }`;

export const WORKLIST = /* GraphQL */ `
  query Worklist($region: String!) {
    referralEventCursor
    atRiskReferrals(regionCode: $region, first: 100) {
      totalCount
      edges { node { id status specialty visitType procedure { code name } patient { givenName familyName } ${GUARANTEE} } }
    }
  }`;

export const REFERRAL_LIVE_FIELDS = `id status revision specialty visitType procedure { code name } patient { givenName familyName } provider { name } ${GUARANTEE} event { id kind occurredAt actorRole reason }`;

export const REFERRAL_UPDATED = /* GraphQL */ `
  subscription ReferralUpdated($region: String!, $after: ID) {
    referralUpdated(regionCode: $region, after: $after) { ${REFERRAL_LIVE_FIELDS} }
  }`;

export const REFERRAL_RECEIVED = /* GraphQL */ `
  subscription ReferralReceived($region: String!, $after: ID) {
    referralReceived(regionCode: $region, after: $after) { ${REFERRAL_LIVE_FIELDS} }
  }`;

export const REFERRAL = /* GraphQL */ `
  query Referral($id: ID!) {
    referral(id: $id) {
      id status revision specialty visitType decisionDate diagnosisCode careCategory
      procedure { code name }
      homeRegion { code name }
      patient { id givenName familyName birthDate homeMunicipalityCode }
      provider { id name }
      ${GUARANTEE.replace("}", "startDate pausedDays }")}
      history { id action fromStatus toStatus actorRole reason happenedOn occurredAt }
      paymentCommitment { agreementName pricePerCaseSek validUntil }
      availableActions
    }
  }`;

export const MATCHES = /* GraphQL */ `
  query Matches($id: ID!) {
    referral(id: $id) {
      id
      matches(first: 20) {
        rank tier startsByDeadline marginDays earliestStart pricePerCaseSek explanation
        agreement { id name }
        offer { id availableSlots expectedWaitDays provider { name region { code name } } }
      }
    }
  }`;

export const SEND_REFERRAL = /* GraphQL */ `
  mutation SendReferral($id: ID!, $offer: ID!, $key: String) {
    sendReferral(referralId: $id, input: { offerId: $offer }, idempotencyKey: $key) {
      id status paymentCommitment { agreementName pricePerCaseSek validUntil }
    }
  }`;

export const PROVIDER_REFERRALS = /* GraphQL */ `
  query ProviderReferrals($provider: ID!) {
    referralEventCursor
    provider(id: $provider) { id name region { code } }
    referrals(first: 100) {
      edges { node { id status specialty visitType procedure { code name } patient { givenName familyName } availableActions ${GUARANTEE} } }
    }
  }`;

export const PROVIDER_REFERRAL_UPDATED = /* GraphQL */ `
  subscription ProviderReferralUpdated($region: String!, $after: ID) {
    referralUpdated(regionCode: $region, after: $after) { id status availableActions event { id kind } }
  }`;

export const RECEIVE = /* GraphQL */ `mutation Receive($id: ID!) { receiveReferral(referralId: $id) { id status availableActions } }`;
export const ACCEPT = /* GraphQL */ `mutation Accept($id: ID!) { acceptReferral(referralId: $id) { id status availableActions } }`;
export const REJECT = /* GraphQL */ `mutation Reject($id: ID!, $reason: String!) { rejectReferral(referralId: $id, reason: $reason) { id status availableActions } }`;
export const OFFER_CARE = /* GraphQL */ `mutation OfferCare($id: ID!, $date: Date!) { offerCareToPatient(referralId: $id, careDate: $date) { id status availableActions } }`;
export const BOOK = /* GraphQL */ `mutation Book($id: ID!, $date: Date!) { bookReferral(referralId: $id, careDate: $date) { id status availableActions } }`;

const OFFER_FIELDS = `id status availableSlots totalSlots validFrom validUntil earliestStart expectedWaitDays conditions specialty procedure { code name } careUnit { name } provider { id name region { code name } }`;

export const PROVIDER_HOME = /* GraphQL */ `
  query ProviderHome($provider: ID!) {
    provider(id: $provider) { id name region { code } careUnits { id name specialty } }
    freeCapacity(filter: { providerIds: [$provider] }, first: 100) { edges { node { ${OFFER_FIELDS} } } }
  }`;

export const PUBLISH = /* GraphQL */ `
  mutation Publish($input: PublishCapacityInput!, $key: String) {
    publishCapacity(input: $input, idempotencyKey: $key) { offers { ${OFFER_FIELDS} } }
  }`;

export const UPDATE_OFFER = /* GraphQL */ `
  mutation UpdateOffer($id: ID!, $input: UpdateCapacityInput!, $key: String) {
    updateCapacity(offerId: $id, input: $input, idempotencyKey: $key) { id availableSlots totalSlots validUntil expectedWaitDays }
  }`;

export const WITHDRAW = /* GraphQL */ `
  mutation Withdraw($id: ID!, $reason: String!) { withdrawCapacity(offerId: $id, reason: $reason) { id status } }`;

export const CAPACITY_SEARCH = /* GraphQL */ `
  query CapacitySearch($filter: FreeCapacityFilter, $home: String!) {
    offerEventCursor
    freeCapacity(filter: $filter, first: 100) {
      totalCount
      edges { node { ${OFFER_FIELDS} coverage(homeRegionCode: $home) { status agreement { name } pricePerCaseSek } } }
    }
  }`;

export const OFFER_PUBLISHED = /* GraphQL */ `
  subscription OfferPublished($filter: FreeCapacityFilter, $home: String!, $after: ID) {
    offerPublished(filter: $filter, after: $after) { ${OFFER_FIELDS} event { id kind } coverage(homeRegionCode: $home) { status agreement { name } pricePerCaseSek } }
  }`;

export const REGIONS = /* GraphQL */ `query Regions { regions { code name } }`;

export const CLINIC_REFERRALS = /* GraphQL */ `
  query ClinicReferrals {
    referrals(first: 100) { edges { node { id status specialty procedure { code name } patient { id givenName familyName } availableActions ${GUARANTEE} } } }
  }`;

export const REGISTER_REFERRAL = /* GraphQL */ `
  mutation RegisterReferral($input: RegisterReferralInput!, $key: String) {
    registerReferral(input: $input, idempotencyKey: $key) { id status }
  }`;

export const HAND_TO_OFFICE = /* GraphQL */ `
  mutation HandToOffice($id: ID!, $reason: String!) { handReferralToOffice(referralId: $id, reason: $reason) { id status availableActions } }`;

export const AUDIT_LOG = /* GraphQL */ `
  query AuditLog($patient: ID!) {
    auditLog(patientId: $patient, first: 200) { id occurredAt action recordKind subject role organisation outcome basis }
  }`;

/** Every operation, by name, for the build's check. */
export const OPERATIONS: Record<string, string> = {
  WORKLIST,
  REFERRAL_UPDATED,
  REFERRAL_RECEIVED,
  REFERRAL,
  MATCHES,
  SEND_REFERRAL,
  PROVIDER_REFERRALS,
  PROVIDER_REFERRAL_UPDATED,
  RECEIVE,
  ACCEPT,
  REJECT,
  OFFER_CARE,
  BOOK,
  PROVIDER_HOME,
  PUBLISH,
  UPDATE_OFFER,
  WITHDRAW,
  CAPACITY_SEARCH,
  OFFER_PUBLISHED,
  REGIONS,
  CLINIC_REFERRALS,
  REGISTER_REFERRAL,
  HAND_TO_OFFICE,
  AUDIT_LOG,
};
