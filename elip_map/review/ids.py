"""Component ids of the login, partner and staff pages (kebab-case, page-prefixed)."""

# /login
LOGIN_FORM = "login-form"
LOGIN_EMAIL = "login-email"
LOGIN_PASSWORD = "login-password"
LOGIN_ERROR = "login-error"

# /partner
PARTNER_ORG = "partner-org"                  # staff only: which organization to edit
PARTNER_LISTINGS = "partner-listings"        # the cards, as the public sees them
PARTNER_LOCATION = "partner-location"        # which location the form edits
PARTNER_BASE_VERSION = "partner-base-version"
PARTNER_SUBMISSION = "partner-submission"    # a fresh id per form, so a double post is stored once
PARTNER_NAME = "partner-name"
PARTNER_ADDRESS = "partner-address"
PARTNER_POSTAL = "partner-postal"
PARTNER_PHONE = "partner-phone"
PARTNER_ACCESSIBILITY = "partner-accessibility"
PARTNER_HOURS_NOTE = "partner-hours-note"
PARTNER_OPENS = "partner-opens"              # pattern id {"type": PARTNER_OPENS, "day": 1..7}
PARTNER_CLOSES = "partner-closes"
PARTNER_CLOSED = "partner-closed"
PARTNER_SERVICES = "partner-services"        # container of per-service rows
PARTNER_SVC_TYPES = "partner-svc-types"      # pattern id {"type": ..., "sid": "12"}
PARTNER_SVC_LANGS = "partner-svc-langs"
PARTNER_SVC_ELIGIBILITY = "partner-svc-eligibility"
PARTNER_SVC_FEES = "partner-svc-fees"
PARTNER_SVC_STATUSES = "partner-svc-statuses"  # who can use it: immigration-status slugs
PARTNER_SVC_FEE = "partner-svc-fee"            # free / low-cost / fee
PARTNER_SVC_MIN_AGE = "partner-svc-min-age"
PARTNER_SVC_MAX_AGE = "partner-svc-max-age"
PARTNER_SVC_GENDER = "partner-svc-gender"
PARTNER_PIN_ADDRESS = "partner-pin-address"  # the address shown beside the pin map
PARTNER_PREVIEW = "partner-preview"          # "Review my correction": the summary before sending
PARTNER_SUMMARY = "partner-summary"
PARTNER_SUMMARY_BOX = "partner-summary-box"
PARTNER_MAP = "partner-map"
PARTNER_MARKER = "partner-marker"
PARTNER_PIN_START = "partner-pin-start"    # where the marker started: only a moved marker is a pin change
PARTNER_LAT = "partner-lat"
PARTNER_LON = "partner-lon"
PARTNER_SUBMIT = "partner-submit"
PARTNER_STILL_CORRECT = "partner-still-correct"
PARTNER_MESSAGE = "partner-message"
PARTNER_REQUESTS = "partner-requests"

# /staff/review
REVIEW_QUEUE = "staff-review-queue"
REVIEW_REQUEST = "staff-review-request"
REVIEW_DETAIL = "staff-review-detail"
REVIEW_MAP = "staff-review-map"
REVIEW_PINS = "staff-review-pins"
REVIEW_NOTE = "staff-review-note"
REVIEW_APPROVE = "staff-review-approve"
REVIEW_REJECT = "staff-review-reject"
REVIEW_REFRESH = "staff-review-refresh"
REVIEW_MESSAGE = "staff-review-message"

# /staff/health
HEALTH_LOCATION = "staff-health-location"
HEALTH_MAP = "staff-health-map"
HEALTH_MARKER = "staff-health-marker"
HEALTH_LAT = "staff-health-lat"
HEALTH_LON = "staff-health-lon"
HEALTH_VERSION = "staff-health-version"
HEALTH_SAVE = "staff-health-save"
HEALTH_MESSAGE = "staff-health-message"

# /staff/users
USERS_TABLE = "staff-users-table"
USERS_EMAIL = "staff-users-email"
USERS_ROLE = "staff-users-role"
USERS_ORG = "staff-users-org"
USERS_PASSWORD = "staff-users-password"
USERS_ADD = "staff-users-add"
USERS_RESET_EMAIL = "staff-users-reset-email"
USERS_RESET_PASSWORD = "staff-users-reset-password"
USERS_RESET = "staff-users-reset"
USERS_TOGGLE = "staff-users-toggle"
USERS_MESSAGE = "staff-users-message"
HEALTH_CONTACT_ORG = "staff-health-contact-org"
HEALTH_CONTACT_EMAIL = "staff-health-contact-email"
HEALTH_CONTACT_LANG = "staff-health-contact-language"
HEALTH_CONTACT_PHONE = "staff-health-contact-phone"
HEALTH_CONTACT_SAVE = "staff-health-contact-save"
HEALTH_CONTACT_MESSAGE = "staff-health-contact-message"
