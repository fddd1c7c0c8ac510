## British English: only the messages written differently from en.ftl; every other message
## comes from en.ftl.

date-long = { $day } { $month } { $year }
status-canceling = Cancelling
notice-canceled = Your subscription has been cancelled.
notice-canceling = Your subscription will be cancelled at the end of the billing period.
field-postal-code = Postcode
field-state = County or region
field-card-expiry = Expiry date
card-error-expiry = Your card's expiry date is invalid.
cancel-end-consequence = Your { $product } subscription will be cancelled, but it stays available until the end of your billing period on { $date }.
cancel-unavailable-heading = This subscription can't be cancelled here
reason-question = Why are you cancelling? (optional)
done-canceled-heading = Subscription cancelled
done-canceled-now = Your { $product } subscription has been cancelled.
auth-gone-body = The authentication was already completed, cancelled, or the link has expired. Return to the site you came from to try again.
customer-gone-body = There is no billing account behind this link any more.
offer-unavailable-body = The offer can't be applied to your subscription any more. Nothing was changed.
