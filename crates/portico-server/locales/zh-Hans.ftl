## 日期、计费周期和价格

month-1 = 1月
month-2 = 2月
month-3 = 3月
month-4 = 4月
month-5 = 5月
month-6 = 6月
month-7 = 7月
month-8 = 8月
month-9 = 9月
month-10 = 10月
month-11 = 11月
month-12 = 12月
date-long = { $year }年{ $month }{ $day }日
every-day = { $count ->
    [1] 天
   *[other] { $count } 天
}
every-week = { $count ->
    [1] 周
   *[other] { $count } 周
}
every-month = { $count ->
    [1] 月
   *[other] { $count } 个月
}
every-year = { $count ->
    [1] 年
   *[other] { $count } 年
}
price-per-interval = { $amount } / { $interval }
quantity-times = { $quantity } × { $price }
tiered-quantity-total = { $quantity } 件共 { $price }
card-expires = 有效期至 { $date }

## 页面框架

default-business-name = 账单管理
return-to = 返回 { $business }
powered-by = 由 Portico 提供技术支持
terms = 条款
privacy = 隐私
test-mode = 测试模式
skip-to-content = 跳至主要内容
back-to-portal = 返回您的账户
action-back = 返回

## 会话之外的页面及错误

link-invalid-heading = 此链接无效
link-invalid-body = 链接可能输入有误，或已被新的链接取代。请返回您之前所在的网站获取新链接。
session-expired-heading = 此会话已过期
session-expired-body = 为保障您的安全，门户链接在一段时间未使用后会失效。请返回您之前所在的网站，重新打开会话。
session-taken-heading = 此链接已被使用
session-taken-body = 此账单门户链接已在另一个浏览器中打开。为保障您的安全，该链接只能在那个浏览器中使用。请返回您之前所在的网站获取新链接。
customer-gone-heading = 此账户已不可用
customer-gone-body = 此链接对应的账单账户已不存在。
error-heading = 出错了
error-body = 我们无法完成此步骤，您未被扣款。请稍后重试。
form-expired-heading = 请重试
form-expired-body = 此表单已过期，或已在另一个浏览器中打开。请返回上一页，刷新页面后重试。
not-found-heading = 未找到
not-found-body = 此页面不存在，或不属于您的账户。

## 首页

home-title = 您的账单
home-subscriptions =
    { $count ->
       *[other] 当前方案
    }
home-no-subscriptions = 您没有有效的订阅。
home-credit = 您的账户有 { $amount } 的抵扣额，将用于抵扣之后的账单。
home-payment-methods = 支付方式
home-no-cards = 尚未添加支付方式。
home-billing-information = 账单信息
home-no-billing-information = 尚未填写账单信息。
home-invoice-history = 账单历史
home-no-invoices = 暂无账单。
home-older-invoices = 更早的账单
sub-renews-on = 将于 { $date } 续订
sub-incomplete-pay = 首张账单尚待支付：支付后即可开始订阅。
sub-past-due-pay = 一笔付款失败，账单仍未结清：请支付以保留订阅。
sub-overdue-pay = 有一张发票已过付款截止日期：请付款以保留订阅。
action-pay-invoice = 支付账单
sub-cancels-on = 将于 { $date } 取消
sub-trial-ends = 试用期将于 { $date } 结束
sub-paused = 自 { $date } 起已暂停
sub-changes-on = 将于 { $date } 变更为 { $product }（{ $price }）
sub-change-waiting = 变更为 { $product }（{ $price }）正在等待您的银行卡验证。
sub-discount = 折扣
sub-discount-until = { $off }，至 { $date }
status-trialing = 试用中
status-past-due = 逾期未付
status-incomplete = 未完成
status-paused = 已暂停
status-canceling = 即将取消
card-default = 默认
action-update-subscription = 更新订阅
action-cancel-subscription = 取消订阅
action-renew-subscription = 续订
action-make-default = 设为默认
action-remove = 删除
action-add-payment-method = 添加支付方式
action-update-information = 更新信息
card-keep-heading = 无法删除此支付方式
card-keep-body = 您的订阅需要一个默认支付方式。请先添加另一张卡并将其设为默认，然后再删除此卡。
card-remove-title = 要移除这张卡吗？
card-remove-body = 将从您的账户中移除 { $card }（{ $expires }）。您可以随时重新添加。
action-remove-card = 移除卡
action-keep-card = 保留卡
notice-canceled = 您的订阅已取消。
notice-canceling = 您的订阅将在本计费周期结束时取消。
notice-retained = 您的优惠已生效。
notice-updated = 您的订阅已更新。
notice-scheduled = 已为您安排方案变更。
notice-renewed = 您的订阅已续订。
notice-card-added = 您的支付方式已添加。
notice-default-set = 您的默认支付方式已更新。
notice-card-removed = 您的支付方式已删除。
notice-info-saved = 您的账单信息已保存。

## 账单信息

billing-title = 账单信息
billing-lead = 此信息将显示在您的账单上。
billing-fix-errors = 请更正标出的字段。
field-name = 姓名
field-email = 电子邮件
field-phone = 电话
field-billing-address = 账单地址
field-shipping-address = 收货地址
field-shipping-name = 收件人姓名
field-line1 = 地址第 1 行
field-line2 = 地址第 2 行（选填）
field-city = 城市
field-postal-code = 邮政编码
field-state = 州/省/地区
field-country = 国家/地区
field-country-hint = 两个字母的国家/地区代码，例如 CN 或 US。
action-save = 保存
action-cancel = 取消
error-too-long = 内容过长：最多 { $max } 个字符。
error-email = 请输入有效的电子邮件地址。
error-email-required = 请输入您的电子邮件地址。
error-country = 请输入国家/地区的两字母代码，例如 US 或 DE。
error-shipping-name = 收货地址需要填写收件人姓名。
error-address-required = 请输入地址第 1 行、城市和国家/地区；若要删除地址，请清空所有字段。
error-address-region = 美国或加拿大的地址还需要填写州/省/地区和邮政编码。
error-phone = 请输入有效的电话号码，例如 +86 10 1234 5678。

## 银行卡

card-add-title = 添加支付方式
card-update-title = 更新您的支付方式
card-lead = 您的卡信息将被安全保存，用于支付您今后的账单。
card-default-note = 此卡将成为您的默认支付方式。
card-test-hint = 测试模式：请使用 4242 4242 4242 4242，并填写任意未来日期和任意 CVC。4000 0000 0000 0002 会被拒绝；4000 0027 6000 3184 会要求进行 3-D Secure 验证。
field-card-number = 卡号
field-card-expiry = 有效期
field-card-expiry-placeholder = MM / YY
field-card-cvc = 安全码
field-card-cvc-placeholder = CVC
field-cardholder = 持卡人姓名
action-add-card = 添加卡
action-update-payment-method = 更新支付方式
card-error-number = 您的卡号无效。
card-error-expiry = 您的卡有效期无效。
card-error-cvc = 您的卡安全码无效。
card-error-expired = 您的卡已过期。
card-error-declined = 您的卡被拒绝。
card-error-insufficient-funds = 您的卡余额不足。
card-error-authentication = 我们无法验证您的支付方式。请选择其他支付方式后重试。

## 取消订阅

cancel-title = 取消您的订阅
cancel-end-consequence = 您的 { $product } 订阅将被取消，但在当前账单周期结束（{ $date }）之前仍可继续使用。
cancel-now-consequence = 您的 { $product } 订阅将立即终止。
cancel-credit-note = 当前周期内未使用部分的费用将作为抵扣额计入您的账户。
cancel-credit-amount = 当前周期内未使用部分的费用 { $amount } 将作为抵扣额计入您的账户。
cancel-unavailable-heading = 无法在此取消该订阅
cancel-unavailable-body = 该订阅已经结束，或已设置为取消。
action-keep-subscription = 保留订阅
reason-question = 您为什么要取消？（选填）
reason-comment = 还有其他想告诉我们的吗？
reason-comment-hint = 选填。请告诉我们可以在哪些方面做得更好。
reason-customer-service = 客户服务未达预期
reason-low-quality = 质量未达预期
reason-missing-features = 缺少某些功能
reason-other = 其他原因
reason-switched-service = 我要改用其他服务
reason-too-complex = 易用性未达预期
reason-too-expensive = 价格太贵
reason-unused = 我不常使用该服务
error-reason = 请从列出的原因中选择一项。
error-comment-too-long = 您的留言过长。
offer-title = 在您离开之前
offer-lead = 我们希望您能留下。这是为您准备的一份优惠。
offer-headline = { $when }{ $off }
offer-percent-off = 立减 { $percent }%
offer-amount-off = 立减 { $amount }
offer-once = 下一张账单
offer-forever = 在您订阅期间每期
offer-months = { $months } 个月内
offer-detail = 折扣将立即应用于您的订阅。今天不会向您额外收取任何费用。
offer-next-invoice = 您在 { $date } 的下一张账单金额为 { $now }，而非 { $was }。
action-accept-offer = 接受优惠
action-decline-offer-cancel = 不用了，取消订阅
offer-unavailable-heading = 此优惠已失效
offer-unavailable-body = 此优惠已无法应用于您的订阅，未作任何更改。

## 更改方案

update-title = 更新您的方案
update-current = 当前方案：
update-current-badge = 当前
update-choose-plan = 选择方案
update-interval-label = 计费周期
update-nothing-else = 目前没有可供此订阅切换的其他方案。
interval-tab-day = 按天
interval-tab-week = 按周
interval-tab-month = 按月
interval-tab-year = 按年
field-quantity = 数量
field-promotion-code = 优惠码
quantity-between = 须在 { $min } 到 { $max } 之间。
quantity-at-least = 至少为 { $min }。
action-continue = 继续
update-unavailable-heading = 无法在此更新该订阅
update-unavailable-body = 该订阅可能已经结束、已设置为取消，或已有待生效的变更。
update-waiting-heading = 您的方案变更正在等待验证
update-waiting-body = 您的银行要求确认此次变更的付款。完成验证后变更即生效；否则您的方案保持不变。
update-waiting-action = 验证付款
error-plan = 请从提供的方案中选择一项。
error-quantity = 请输入不小于 1 的整数。
error-promotion-code = 此优惠码无效，或不适用于此方案。
error-no-change = 请选择不同的方案或数量。
confirm-no-change-heading = 无需更改
confirm-no-change-body = 您的订阅已是此方案，无需确认。
change-unavailable-heading = 此更改已不可用
change-unavailable-body = 此更改所需的内容（例如方案或折扣）已不再提供。未做任何更改。
preview-title = 确认您的新方案
preview-current-plan = 当前方案
preview-new-plan = 新方案
preview-timing-now = 您确认后，方案将立即变更。
preview-timing-later = 您的方案将于 { $date }（当前账单周期结束时）变更。在此之前不会向您收费。
preview-timing-trial-ends = 您确认后，试用期将立即结束，新方案从今天开始生效。
preview-timing-trial-continues = 您的试用期将继续；新方案将在试用期结束后生效。
preview-lines-caption = 此次变更的费用和抵扣
preview-lines-next-invoice = 这些费用和抵扣将计入您的下一张账单。
preview-discount = 折扣
preview-discount-applied = 已应用于您的订阅
preview-discount-next = 下一张账单的折扣
preview-due-today = 今日应付金额
preview-paid-with = 将从 { $card } 扣款
preview-sent-invoice = 您将收到此金额的发票，付款截止日期为 { $date }。
preview-next-invoice = 下一张账单（{ $date }）
preview-credit = 变更后，您的账户余额将为 { $amount } 的抵扣额，用于抵扣之后的账单。
action-confirm = 确认
action-use-another-card = 使用其他卡
line-unused-time = { $quantity } × { $product } 的未使用时间
line-remaining-time = { $quantity } × { $product } 的剩余时间
line-one-off = { $quantity } × { $product }
line-unnamed = 项目
line-period = { $quantity } × { $product }（{ $start } 至 { $end }）
line-period-flat = { $product }（{ $start } 至 { $end }）
line-tier = { $product } · 第 { $tier } 档
update-not-applied-heading = 您的方案未变更
update-not-applied-body = 此次变更的付款未能完成，因此未作任何更改。

## 确认

done-card-heading = 支付方式已更新
done-card-body = 尾号为 { $last4 } 的 { $brand } 卡现已成为您的默认支付方式。
done-canceled-heading = 订阅已取消
done-canceled-now = 您的 { $product } 订阅已取消。
done-canceled-later = 您的 { $product } 订阅将于 { $date } 结束，在此之前您仍可继续使用。
done-retained-heading = 已接受优惠
done-retained-body = 感谢您继续订阅！折扣已应用于您的 { $product } 订阅。
done-updated-heading = 订阅已更新
done-updated-now = 您当前的方案为 { $product }（{ $price }）。
done-updated-later = 您的方案将于 { $date } 变更为 { $product }（{ $price }）。
done-charged = 已向您收取 { $amount }。
done-close = 您可以关闭此页面。

## 账单

invoice-title = 账单
invoice-date = 日期
invoice-due-on = 到期日
invoice-paid-on = 支付日期
invoice-period = 计费周期
invoice-billed-to = 账单接收方
invoice-lines = 项目
invoice-description = 描述
invoice-amount = 金额
invoice-subtotal = 小计
invoice-discount = 折扣
invoice-balance = 已抵扣余额
invoice-total = 总计
invoice-amount-paid = 已付金额
invoice-amount-due = 应付金额
invoice-status-paid = 已支付
invoice-status-open = 待支付
invoice-status-void = 已作废
invoice-status-uncollectible = 无法收款
invoice-status-draft = 草稿
invoice-needs-authentication = 此笔付款需要您通过银行进行确认。
action-complete-payment = 完成付款

## 登录页面及其邮件

login-title = 登录账单管理门户
login-lead = 请输入您在 { $business } 使用的电子邮件地址。我们将通过电子邮件向您发送一个用于管理账单的链接。
action-send-link = 通过电子邮件发送链接
login-sent-heading = 请查收您的电子邮件
login-sent-body = 如果 { $email } 关联了账户，我们已向该地址发送登录链接。
login-sent-note = 此链接仅可使用一次，并将在 15 分钟后失效。没有收到？请检查垃圾邮件文件夹，或几分钟后重试。
login-limited-heading = 尝试次数过多
login-limited-body = 请等待几分钟后再申请新的链接。
login-unavailable-body = 此登录页面已不可用。请返回您之前所在的网站管理账单。
login-link-used-heading = 此链接已失效
login-link-used-body = 登录链接仅可使用一次，并将在 15 分钟后失效。请在登录页面重新申请。
login-continue-heading = 打开您的账单门户
login-continue-body = 继续以管理您的订阅、付款方式和账单。此链接只能使用一次。
login-link-again = 获取新链接
email-greeting = 您好：
email-greeting-name = { $name }，您好：
login-email-subject = 您的账单管理链接
login-email-intro = 这是您用于管理订阅、支付方式和账单的链接。
login-email-button = 管理账单
login-email-expiry = 此链接仅可使用一次，并将在 15 分钟后失效。
login-email-ignore = 如果您并未申请此邮件，请忽略即可。
invoice-email-subject = 来自 { $business } 的发票 { $number }
invoice-email-due = 发票 { $number } 的付款截止日期为 { $date }。
invoice-email-open = 发票 { $number } 可以付款了。
invoice-email-paid = 发票 { $number } 已付款。谢谢！
invoice-email-pay = 查看并支付发票
invoice-email-view = 查看发票

## 3-D Secure 测试验证

auth-title = 验证您的卡
auth-eyebrow = 3-D Secure 测试验证
auth-lead-setup = 您的银行要求您确认：此卡将被保存，用于今后的付款。
auth-lead-payment = 您的银行要求您确认此笔付款。
auth-card = 卡
auth-card-value = { $brand }（尾号 { $last4 }）
auth-amount = 金额
auth-purpose = 用途
auth-purpose-setup = 保存卡以用于今后的付款
auth-purpose-invoice = 账单 { $number }
auth-purpose-payment = 账单付款
auth-note = 此页面模拟您银行的验证流程。请选择要测试的结果。
auth-approve = 完成验证
auth-fail = 使验证失败
auth-gone-heading = 此链接已失效
auth-gone-body = 验证已完成或已取消，或者链接已过期。请返回您之前所在的网站重试。
auth-done-heading = 验证完成
auth-done-body = 谢谢。您可以关闭此页面，返回您之前所在的网站。
auth-declined-heading = 付款被拒绝
auth-declined-body = 验证完成后，您的银行拒绝了此笔付款。请返回您之前所在的网站，使用其他卡付款。
auth-failed-heading = 验证失败
auth-failed-body = 未扣款，也未保存任何信息。请返回您之前所在的网站重试，或使用其他卡。
page-not-found-heading = 页面未找到
page-not-found-body = 此地址没有页面。请检查您打开的链接。
rate-limited-heading = 请求过多
rate-limited-body = 请稍候片刻再试。

# The hosted invoice page
hosted-invoice-expired-heading = 此账单链接已过期
hosted-invoice-expired-body = 为了您的安全，账单链接在一段时间后会失效。请联系向您发送此账单的商家获取新链接。
hosted-invoice-expired-body-named = 为了您的安全，账单链接在一段时间后会失效。请联系 { $business } 获取新链接。
hosted-invoice-pay-heading = 支付此账单
hosted-invoice-pay-saved = 使用 { $card } 支付 { $amount }
hosted-invoice-pay-new = 或使用其他卡支付
hosted-invoice-pay-card = 支付 { $amount }
hosted-invoice-card-note = 此卡将保存到您的账户以支付此账单；您的默认付款方式保持不变。
hosted-invoice-paid = 此账单已支付。谢谢！
