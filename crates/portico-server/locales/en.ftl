## Dates, intervals and prices

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
date-long = { $month } { $day }, { $year }
every-day = { $count ->
    [one] day
   *[other] { $count } days
}
every-week = { $count ->
    [one] week
   *[other] { $count } weeks
}
every-month = { $count ->
    [one] month
   *[other] { $count } months
}
every-year = { $count ->
    [one] year
   *[other] { $count } years
}
price-per-interval = { $amount } / { $interval }
quantity-times = { $quantity } × { $price }
tiered-quantity-total = { $price } for { $quantity }
card-expires = Expires { $date }

## Frame

default-business-name = Billing
return-to = Return to { $business }
powered-by = Powered by Portico
terms = Terms
privacy = Privacy
test-mode = Test mode
skip-to-content = Skip to content
back-to-portal = Back to your account
action-back = Back

## Pages outside a session, and errors

link-invalid-heading = This link is not valid
link-invalid-body = The link may be mistyped, or it was replaced by a newer one. Return to the site you came from to get a new link.
session-expired-heading = This session has expired
session-expired-body = For your security, portal links expire when they are not used. Return to the site you came from to open a new session.
session-taken-heading = This link was already used
session-taken-body = This billing portal link was opened in another browser. For your security, it only works there. Return to the site you came from to get a new link.
customer-gone-heading = This account is no longer available
customer-gone-body = There is no billing account behind this link anymore.
error-heading = Something went wrong
error-body = We could not complete this step. Nothing was charged. Please try again in a moment.
form-expired-heading = Please try again
form-expired-body = This form expired or was opened in another browser. Go back, reload the page, and try again.
not-found-heading = Not found
not-found-body = This page does not exist, or it is not part of your account.

## Homepage

home-title = Your billing
home-subscriptions =
    { $count ->
        [one] Current plan
       *[other] Current plans
    }
home-no-subscriptions = You have no active subscriptions.
home-credit = Your account has a credit of { $amount }, used on your next invoices.
home-payment-methods = Payment methods
home-no-cards = No payment method on file.
home-billing-information = Billing information
home-no-billing-information = No billing information on file.
home-invoice-history = Invoice history
home-no-invoices = No invoices yet.
home-older-invoices = Older invoices
sub-renews-on = Renews on { $date }
sub-incomplete-pay = Its first invoice is waiting to be paid: pay it to start the subscription.
sub-past-due-pay = A payment failed and its invoice is still open: pay it to keep the subscription.
sub-overdue-pay = An invoice is past its due date: pay it to keep the subscription.
action-pay-invoice = Pay invoice
sub-cancels-on = Cancels on { $date }
sub-trial-ends = Trial ends on { $date }
sub-paused = Paused since { $date }
sub-changes-on = Changes to { $product } ({ $price }) on { $date }
sub-change-waiting = A change to { $product } ({ $price }) is waiting for your card to be authenticated.
sub-discount = Discount
sub-discount-until = { $off } until { $date }
status-trialing = Trial
status-past-due = Past due
status-incomplete = Incomplete
status-paused = Paused
status-canceling = Canceling
card-default = Default
action-update-subscription = Update subscription
action-cancel-subscription = Cancel subscription
action-renew-subscription = Renew subscription
action-make-default = Make default
action-remove = Remove
action-add-payment-method = Add payment method
action-update-information = Update information
card-keep-heading = This payment method can't be removed
card-keep-body = Your subscription needs a default payment method. Add another card and make it the default before removing this one.
card-remove-title = Remove this card?
card-remove-body = { $card } ({ $expires }) will be removed from your account. You can add it again at any time.
action-remove-card = Remove card
action-keep-card = Keep card
notice-canceled = Your subscription has been canceled.
notice-canceling = Your subscription will be canceled at the end of the billing period.
notice-retained = Your offer has been applied.
notice-updated = Your subscription has been updated.
notice-scheduled = Your plan change has been scheduled.
notice-renewed = Your subscription has been renewed.
notice-card-added = Your payment method has been added.
notice-default-set = Your default payment method has been updated.
notice-card-removed = Your payment method has been removed.
notice-info-saved = Your billing information has been saved.

## Billing information

billing-title = Billing information
billing-lead = This information appears on your invoices.
billing-fix-errors = Please correct the highlighted fields.
field-name = Name
field-email = Email
field-phone = Phone
field-billing-address = Billing address
field-shipping-address = Shipping address
field-shipping-name = Recipient name
field-line1 = Address line 1
field-line2 = Address line 2 (optional)
field-city = City
field-postal-code = Postal code
field-state = State or region
field-country = Country
field-country-hint = Two-letter country code, such as US or FR.
action-save = Save
action-cancel = Cancel
error-too-long = This is too long: at most { $max } characters.
error-email = Enter a valid email address.
error-email-required = Enter your email address.
error-country = Enter a country's two-letter code, such as US or DE.
error-shipping-name = A shipping address needs a recipient name.
error-address-required = Enter Address line 1, City and Country, or clear every field to remove the address.
error-address-region = For an address in the US or Canada, also enter State or region and Postal code.
error-phone = Enter a valid phone number, such as +1 555 123 4567.

## Cards

card-add-title = Add a payment method
card-update-title = Update your payment method
card-lead = Your card is saved securely and used for your future invoices.
card-default-note = This card will become your default payment method.
card-test-hint = Test mode: use 4242 4242 4242 4242 with any future date and any CVC. 4000 0000 0000 0002 is declined; 4000 0027 6000 3184 asks for 3-D Secure.
field-card-number = Card number
field-card-expiry = Expiration date
field-card-expiry-placeholder = MM / YY
field-card-cvc = Security code
field-card-cvc-placeholder = CVC
field-cardholder = Name on card
action-add-card = Add card
action-update-payment-method = Update payment method
card-error-number = Your card number is invalid.
card-error-expiry = Your card's expiration date is invalid.
card-error-cvc = Your card's security code is invalid.
card-error-expired = Your card has expired.
card-error-declined = Your card was declined.
card-error-insufficient-funds = Your card has insufficient funds.
card-error-authentication = We could not authenticate your payment method. Choose a different payment method and try again.

## Canceling

cancel-title = Cancel your subscription
cancel-end-consequence = Your { $product } subscription will be canceled, but it stays available until the end of your billing period on { $date }.
cancel-now-consequence = Your { $product } subscription will end immediately.
cancel-credit-note = Unused time on your current period will be credited to your account.
cancel-credit-amount = The unused time on your current period, { $amount }, will be credited to your account.
cancel-unavailable-heading = This subscription can't be canceled here
cancel-unavailable-body = It has already ended, or is already set to cancel.
action-keep-subscription = Keep subscription
reason-question = Why are you canceling? (optional)
reason-comment = Anything else you'd like to share?
reason-comment-hint = Optional. Tell us what we could do better.
reason-customer-service = Customer service was less than expected
reason-low-quality = Quality was less than expected
reason-missing-features = Some features are missing
reason-other = Other reason
reason-switched-service = I'm switching to a different service
reason-too-complex = Ease of use was less than expected
reason-too-expensive = It's too expensive
reason-unused = I don't use the service enough
error-reason = Choose one of the reasons listed.
error-comment-too-long = Your comment is too long.
offer-title = Before you go
offer-lead = We'd like you to stay. Here is an offer for you.
offer-headline = { $off } { $when }
offer-percent-off = { $percent }% off
offer-amount-off = { $amount } off
offer-once = on your next invoice
offer-forever = for as long as you stay
offer-months = { $months ->
    [one] for 1 month
   *[other] for { $months } months
}
offer-detail = The discount applies to your subscription right away. You won't be charged anything extra today.
offer-next-invoice = Your next invoice, on { $date }, comes to { $now } instead of { $was }.
action-accept-offer = Accept offer
action-decline-offer-cancel = No thanks, cancel subscription
offer-unavailable-heading = This offer is no longer available
offer-unavailable-body = The offer can't be applied to your subscription anymore. Nothing was changed.

## Changing plans

update-title = Update your plan
update-current = Current plan:
update-current-badge = Current
update-choose-plan = Choose a plan
update-interval-label = Billing interval
update-nothing-else = There is no other plan to switch this subscription to right now.
interval-tab-day = Daily
interval-tab-week = Weekly
interval-tab-month = Monthly
interval-tab-year = Yearly
field-quantity = Quantity
field-promotion-code = Promotion code
quantity-between = Between { $min } and { $max }.
quantity-at-least = At least { $min }.
action-continue = Continue
update-unavailable-heading = This subscription can't be updated here
update-unavailable-body = It may have ended, be set to cancel, or already have a change waiting.
update-waiting-heading = Your plan change is waiting for authentication
update-waiting-body = Your bank asked to confirm the payment for this change. Authenticate it to apply the change; if you don't, your plan stays as it is.
update-waiting-action = Authenticate payment
error-plan = Choose one of the plans offered.
error-quantity = Enter a whole number of at least 1.
error-promotion-code = This promotion code is invalid or can't be used on this plan.
error-no-change = Choose a different plan or quantity.
confirm-no-change-heading = Nothing to change
confirm-no-change-body = Your subscription is already on this plan, so there is nothing to confirm.
change-unavailable-heading = This change is no longer available
change-unavailable-body = Something it needs, such as the plan or the discount, is no longer offered. Nothing was changed.
preview-title = Confirm your new plan
preview-current-plan = Current plan
preview-new-plan = New plan
preview-timing-now = Your plan changes as soon as you confirm.
preview-timing-later = Your plan changes on { $date }, at the end of your current billing period. You won't be charged until then.
preview-timing-trial-ends = Your trial ends as soon as you confirm, and your new plan starts today.
preview-timing-trial-continues = Your trial continues; your new plan applies from the end of the trial.
preview-lines-caption = Charges and credits for this change
preview-lines-next-invoice = These charges and credits will be added to your next invoice.
preview-discount = Discount
preview-discount-applied = Applied to your subscription
preview-discount-next = Discount on the next invoice
preview-due-today = Amount due today
preview-paid-with = Charged to { $card }
preview-sent-invoice = You'll be sent an invoice for this amount, due { $date }.
preview-next-invoice = Next invoice on { $date }
preview-credit = Your account balance will hold a credit of { $amount }, used on your next invoices.
action-confirm = Confirm
action-use-another-card = Use a different card
line-unused-time = Unused time on { $quantity } × { $product }
line-remaining-time = Remaining time on { $quantity } × { $product }
line-one-off = { $quantity } × { $product }
line-unnamed = Item
line-period = { $quantity } × { $product } ({ $start } – { $end })
line-period-flat = { $product } ({ $start } – { $end })
line-tier = { $product } · tier { $tier }
update-not-applied-heading = Your plan was not changed
update-not-applied-body = The payment for this change did not go through, so nothing was changed.

## Confirmation

done-card-heading = Payment method updated
done-card-body = Your { $brand } ending in { $last4 } is now your default payment method.
done-canceled-heading = Subscription canceled
done-canceled-now = Your { $product } subscription has been canceled.
done-canceled-later = Your { $product } subscription will end on { $date }. You can use it until then.
done-retained-heading = Offer accepted
done-retained-body = Thanks for staying! The discount has been applied to your { $product } subscription.
done-updated-heading = Subscription updated
done-updated-now = You're now on { $product } ({ $price }).
done-updated-later = Your plan will change to { $product } ({ $price }) on { $date }.
done-charged = You were charged { $amount }.
done-close = You can close this page.

## Invoices

invoice-title = Invoice
invoice-date = Date
invoice-due-on = Due date
invoice-paid-on = Paid on
invoice-period = Period
invoice-billed-to = Billed to
invoice-lines = Items
invoice-description = Description
invoice-amount = Amount
invoice-subtotal = Subtotal
invoice-discount = Discount
invoice-balance = Applied balance
invoice-total = Total
invoice-amount-paid = Amount paid
invoice-amount-due = Amount due
invoice-status-paid = Paid
invoice-status-open = Open
invoice-status-void = Void
invoice-status-uncollectible = Uncollectible
invoice-status-draft = Draft
invoice-needs-authentication = This payment needs you to confirm it with your bank.
action-complete-payment = Complete payment

## Login page and its email

login-title = Sign in to your billing portal
login-lead = Enter the email address you use with { $business }. We'll email you a link to manage your billing.
action-send-link = Email me a link
login-sent-heading = Check your email
login-sent-body = If { $email } belongs to an account, we've sent a sign-in link to it.
login-sent-note = The link works once and expires in 15 minutes. Didn't get it? Check your spam folder, or try again in a few minutes.
login-limited-heading = Too many attempts
login-limited-body = Please wait a few minutes before asking for another link.
login-unavailable-body = This sign-in page is no longer available. Return to the site you came from to manage your billing.
login-link-used-heading = This link has expired
login-link-used-body = Sign-in links work once and expire after 15 minutes. Ask for a new one on the sign-in page.
login-continue-heading = Open your billing portal
login-continue-body = Continue to manage your subscription, payment methods and invoices. The link works once.
login-link-again = Get a new link
email-greeting = Hello,
email-greeting-name = Hello { $name },
login-email-subject = Your link to manage your billing
login-email-intro = Here is your link to manage your subscription, payment methods and invoices.
login-email-button = Manage billing
login-email-expiry = The link works once and expires in 15 minutes.
login-email-ignore = If you didn't ask for this email, you can ignore it.
invoice-email-subject = Invoice { $number } from { $business }
invoice-email-due = Invoice { $number } is due { $date }.
invoice-email-open = Invoice { $number } is ready to pay.
invoice-email-paid = Invoice { $number } has been paid. Thank you!
invoice-email-pay = View and pay invoice
invoice-email-view = View invoice

## 3-D Secure test authentication

auth-title = Authenticate your card
auth-eyebrow = 3-D Secure test authentication
auth-lead-setup = Your bank asks you to confirm that you are saving this card for future payments.
auth-lead-payment = Your bank asks you to confirm this payment.
auth-card = Card
auth-card-value = { $brand } ending in { $last4 }
auth-amount = Amount
auth-purpose = Purpose
auth-purpose-setup = Save card for future payments
auth-purpose-invoice = Invoice { $number }
auth-purpose-payment = Invoice payment
auth-note = This page simulates your bank's check. Choose the outcome to test.
auth-approve = Complete authentication
auth-fail = Fail authentication
auth-gone-heading = This link is no longer valid
auth-gone-body = The authentication was already completed, canceled, or the link has expired. Return to the site you came from to try again.
auth-done-heading = Authentication complete
auth-done-body = Thank you. You can close this page and return to the site you came from.
auth-declined-heading = Payment declined
auth-declined-body = Your bank declined the payment after authentication. Return to the site you came from to use another card.
auth-failed-heading = Authentication failed
auth-failed-body = Nothing was charged or saved. Return to the site you came from to try again or use another card.
page-not-found-heading = Page not found
page-not-found-body = There is no page at this address. Check the link you followed.
rate-limited-heading = Too many requests
rate-limited-body = Please wait a moment, then try again.

# The hosted invoice page
hosted-invoice-expired-heading = This invoice link has expired
hosted-invoice-expired-body = For your security, invoice links stop working after a while. Contact the business that sent you this invoice for a new link.
hosted-invoice-expired-body-named = For your security, invoice links stop working after a while. Contact { $business } for a new link.
hosted-invoice-pay-heading = Pay this invoice
hosted-invoice-pay-saved = Pay { $amount } with { $card }
hosted-invoice-pay-new = Or pay with another card
hosted-invoice-pay-card = Pay { $amount }
hosted-invoice-card-note = The card is saved to your account to pay this invoice; your default payment method stays as it is.
hosted-invoice-paid = This invoice is paid. Thank you!
