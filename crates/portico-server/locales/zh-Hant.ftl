## 日期、計費週期和價格

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
    [1] 週
   *[other] { $count } 週
}
every-month = { $count ->
    [1] 月
   *[other] { $count } 個月
}
every-year = { $count ->
    [1] 年
   *[other] { $count } 年
}
price-per-interval = { $amount } / { $interval }
quantity-times = { $quantity } × { $price }
tiered-quantity-total = { $quantity } 件共 { $price }
card-expires = 到期日 { $date }

## 頁面框架

default-business-name = 帳單管理
return-to = 返回 { $business }
powered-by = 由 Portico 提供技術支援
terms = 條款
privacy = 隱私權
test-mode = 測試模式
skip-to-content = 跳至主要內容
back-to-portal = 返回您的帳戶
action-back = 返回

## 工作階段之外的頁面及錯誤

link-invalid-heading = 此連結無效
link-invalid-body = 連結可能輸入有誤，或已被新的連結取代。請返回您之前所在的網站取得新連結。
session-expired-heading = 此工作階段已過期
session-expired-body = 為保障您的安全，入口網站連結在一段時間未使用後會失效。請返回您之前所在的網站，重新開啟工作階段。
session-taken-heading = 此連結已被使用
session-taken-body = 此帳單入口網站連結已在另一個瀏覽器中開啟。為保障您的安全，該連結只能在那個瀏覽器中使用。請返回您之前所在的網站取得新連結。
customer-gone-heading = 此帳戶已不可用
customer-gone-body = 此連結對應的帳單帳戶已不存在。
error-heading = 發生錯誤
error-body = 我們無法完成此步驟，您未被扣款。請稍後重試。
form-expired-heading = 請重試
form-expired-body = 此表單已過期，或已在另一個瀏覽器中開啟。請返回上一頁，重新整理頁面後重試。
not-found-heading = 找不到
not-found-body = 此頁面不存在，或不屬於您的帳戶。

## 首頁

home-title = 您的帳單
home-subscriptions =
    { $count ->
       *[other] 目前方案
    }
home-no-subscriptions = 您沒有有效的訂閱。
home-credit = 您的帳戶有 { $amount } 的折抵額，將用於折抵之後的帳單。
home-payment-methods = 付款方式
home-no-cards = 尚未新增付款方式。
home-billing-information = 帳單資訊
home-no-billing-information = 尚未填寫帳單資訊。
home-invoice-history = 帳單紀錄
home-no-invoices = 尚無帳單。
home-older-invoices = 更早的帳單
sub-renews-on = 將於 { $date } 續訂
sub-incomplete-pay = 首張帳單尚待支付：支付後即可開始訂閱。
sub-past-due-pay = 一筆付款失敗，帳單仍未結清：請支付以保留訂閱。
sub-overdue-pay = 有一張發票已過付款截止日期：請付款以保留訂閱。
action-pay-invoice = 支付帳單
sub-cancels-on = 將於 { $date } 取消
sub-trial-ends = 試用期將於 { $date } 結束
sub-paused = 自 { $date } 起已暫停
sub-changes-on = 將於 { $date } 變更為 { $product }（{ $price }）
sub-change-waiting = 變更為 { $product }（{ $price }）正在等待您的信用卡驗證。
sub-discount = 折扣
sub-discount-until = { $off }，至 { $date }
status-trialing = 試用中
status-past-due = 逾期未付
status-incomplete = 未完成
status-paused = 已暫停
status-canceling = 即將取消
card-default = 預設
action-update-subscription = 更新訂閱
action-cancel-subscription = 取消訂閱
action-renew-subscription = 續訂
action-make-default = 設為預設
action-remove = 移除
action-add-payment-method = 新增付款方式
action-update-information = 更新資訊
card-keep-heading = 無法移除此付款方式
card-keep-body = 您的訂閱需要一個預設付款方式。請先新增另一張卡片並將其設為預設，然後再移除此卡片。
card-remove-title = 要移除這張卡嗎？
card-remove-body = 將從您的帳戶中移除 { $card }（{ $expires }）。您可以隨時重新新增。
action-remove-card = 移除卡片
action-keep-card = 保留卡片
notice-canceled = 您的訂閱已取消。
notice-canceling = 您的訂閱將在本計費週期結束時取消。
notice-retained = 您的優惠已生效。
notice-updated = 您的訂閱已更新。
notice-scheduled = 已為您安排方案變更。
notice-renewed = 您的訂閱已續訂。
notice-card-added = 您的付款方式已新增。
notice-default-set = 您的預設付款方式已更新。
notice-card-removed = 您的付款方式已移除。
notice-info-saved = 您的帳單資訊已儲存。

## 帳單資訊

billing-title = 帳單資訊
billing-lead = 此資訊將顯示在您的帳單上。
billing-fix-errors = 請更正標出的欄位。
field-name = 姓名
field-email = 電子郵件
field-phone = 電話
field-billing-address = 帳單地址
field-shipping-address = 收件地址
field-shipping-name = 收件人姓名
field-line1 = 地址第 1 行
field-line2 = 地址第 2 行（選填）
field-city = 城市
field-postal-code = 郵遞區號
field-state = 州/省/地區
field-country = 國家/地區
field-country-hint = 兩個字母的國家/地區代碼，例如 TW 或 US。
action-save = 儲存
action-cancel = 取消
error-too-long = 內容過長：最多 { $max } 個字元。
error-email = 請輸入有效的電子郵件地址。
error-email-required = 請輸入您的電子郵件地址。
error-country = 請輸入國家/地區的兩字母代碼，例如 US 或 DE。
error-shipping-name = 收件地址需要填寫收件人姓名。
error-address-required = 請輸入地址第 1 行、城市和國家/地區；若要刪除地址，請清空所有欄位。
error-address-region = 美國或加拿大的地址還需要填寫州/省/地區和郵遞區號。
error-phone = 請輸入有效的電話號碼，例如 +886 2 1234 5678。

## 卡片

card-add-title = 新增付款方式
card-update-title = 更新您的付款方式
card-lead = 您的卡片資訊將被安全儲存，用於支付您今後的帳單。
card-default-note = 此卡片將成為您的預設付款方式。
card-test-hint = 測試模式：請使用 4242 4242 4242 4242，並填寫任意未來日期和任意 CVC。4000 0000 0000 0002 會被拒絕；4000 0027 6000 3184 會要求進行 3-D Secure 驗證。
field-card-number = 卡號
field-card-expiry = 到期日
field-card-expiry-placeholder = MM / YY
field-card-cvc = 安全碼
field-card-cvc-placeholder = CVC
field-cardholder = 持卡人姓名
action-add-card = 新增卡片
action-update-payment-method = 更新付款方式
card-error-number = 您的卡號無效。
card-error-expiry = 您的卡片到期日無效。
card-error-cvc = 您的卡片安全碼無效。
card-error-expired = 您的卡片已過期。
card-error-declined = 您的卡片遭到拒絕。
card-error-insufficient-funds = 您的卡片餘額不足。
card-error-authentication = 我們無法驗證您的付款方式。請選擇其他付款方式後重試。

## 取消訂閱

cancel-title = 取消您的訂閱
cancel-end-consequence = 您的 { $product } 訂閱將被取消，但在目前帳單週期結束（{ $date }）之前仍可繼續使用。
cancel-now-consequence = 您的 { $product } 訂閱將立即終止。
cancel-credit-note = 目前週期內未使用部分的費用將作為折抵額計入您的帳戶。
cancel-credit-amount = 目前週期內未使用部分的費用 { $amount } 將作為折抵額計入您的帳戶。
cancel-unavailable-heading = 無法在此取消該訂閱
cancel-unavailable-body = 該訂閱已經結束，或已設定為取消。
action-keep-subscription = 保留訂閱
reason-question = 您為什麼要取消？（選填）
reason-comment = 還有其他想告訴我們的嗎？
reason-comment-hint = 選填。請告訴我們可以在哪些方面做得更好。
reason-customer-service = 客戶服務未達預期
reason-low-quality = 品質未達預期
reason-missing-features = 缺少某些功能
reason-other = 其他原因
reason-switched-service = 我要改用其他服務
reason-too-complex = 易用性未達預期
reason-too-expensive = 價格太貴
reason-unused = 我不常使用該服務
error-reason = 請從列出的原因中選擇一項。
error-comment-too-long = 您的留言過長。
offer-title = 在您離開之前
offer-lead = 我們希望您能留下。這是為您準備的一份優惠。
offer-headline = { $when }{ $off }
offer-percent-off = 享 { $percent }% 折扣
offer-amount-off = 折抵 { $amount }
offer-once = 下一張帳單
offer-forever = 在您訂閱期間每期
offer-months = { $months } 個月內
offer-detail = 折扣將立即套用於您的訂閱。今天不會向您額外收取任何費用。
offer-next-invoice = 您在 { $date } 的下一張帳單金額為 { $now }，而非 { $was }。
action-accept-offer = 接受優惠
action-decline-offer-cancel = 不用了，取消訂閱
offer-unavailable-heading = 此優惠已失效
offer-unavailable-body = 此優惠已無法套用於您的訂閱，未作任何更改。

## 更改方案

update-title = 更新您的方案
update-current = 目前方案：
update-current-badge = 目前
update-choose-plan = 選擇方案
update-interval-label = 計費週期
update-nothing-else = 目前沒有可供此訂閱切換的其他方案。
interval-tab-day = 按天
interval-tab-week = 按週
interval-tab-month = 按月
interval-tab-year = 按年
field-quantity = 數量
field-promotion-code = 促銷代碼
quantity-between = 須在 { $min } 到 { $max } 之間。
quantity-at-least = 至少為 { $min }。
action-continue = 繼續
update-unavailable-heading = 無法在此更新該訂閱
update-unavailable-body = 該訂閱可能已經結束、已設定為取消，或已有待生效的變更。
update-waiting-heading = 您的方案變更正在等待驗證
update-waiting-body = 您的銀行要求確認此次變更的付款。完成驗證後變更即生效；否則您的方案維持不變。
update-waiting-action = 驗證付款
error-plan = 請從提供的方案中選擇一項。
error-quantity = 請輸入不小於 1 的整數。
error-promotion-code = 此促銷代碼無效，或不適用於此方案。
error-no-change = 請選擇不同的方案或數量。
confirm-no-change-heading = 無需變更
confirm-no-change-body = 您的訂閱已是此方案，無需確認。
change-unavailable-heading = 此變更已無法使用
change-unavailable-body = 此變更所需的內容（例如方案或折扣）已不再提供。未做任何變更。
preview-title = 確認您的新方案
preview-current-plan = 目前方案
preview-new-plan = 新方案
preview-timing-now = 您確認後，方案將立即變更。
preview-timing-later = 您的方案將於 { $date }（目前帳單週期結束時）變更。在此之前不會向您收費。
preview-timing-trial-ends = 您確認後，試用期將立即結束，新方案從今天開始生效。
preview-timing-trial-continues = 您的試用期將繼續；新方案將在試用期結束後生效。
preview-lines-caption = 此次變更的費用和折抵
preview-lines-next-invoice = 這些費用和折抵將計入您的下一張帳單。
preview-discount = 折扣
preview-discount-applied = 已套用於您的訂閱
preview-discount-next = 下一張帳單的折扣
preview-due-today = 今日應付金額
preview-paid-with = 將從 { $card } 扣款
preview-sent-invoice = 您將收到此金額的發票，付款截止日期為 { $date }。
preview-next-invoice = 下一張帳單（{ $date }）
preview-credit = 變更後，您的帳戶餘額將為 { $amount } 的折抵額，用於折抵之後的帳單。
action-confirm = 確認
action-use-another-card = 使用其他卡片
line-unused-time = { $quantity } × { $product } 的未使用時間
line-remaining-time = { $quantity } × { $product } 的剩餘時間
line-one-off = { $quantity } × { $product }
line-unnamed = 項目
line-period = { $quantity } × { $product }（{ $start } 至 { $end }）
line-period-flat = { $product }（{ $start } 至 { $end }）
line-tier = { $product } · 第 { $tier } 級
update-not-applied-heading = 您的方案未變更
update-not-applied-body = 此次變更的付款未能完成，因此未作任何更改。

## 確認

done-card-heading = 付款方式已更新
done-card-body = 末四碼為 { $last4 } 的 { $brand } 卡片現已成為您的預設付款方式。
done-canceled-heading = 訂閱已取消
done-canceled-now = 您的 { $product } 訂閱已取消。
done-canceled-later = 您的 { $product } 訂閱將於 { $date } 結束，在此之前您仍可繼續使用。
done-retained-heading = 已接受優惠
done-retained-body = 感謝您繼續訂閱！折扣已套用於您的 { $product } 訂閱。
done-updated-heading = 訂閱已更新
done-updated-now = 您目前的方案為 { $product }（{ $price }）。
done-updated-later = 您的方案將於 { $date } 變更為 { $product }（{ $price }）。
done-charged = 已向您收取 { $amount }。
done-close = 您可以關閉此頁面。

## 帳單

invoice-title = 帳單
invoice-date = 日期
invoice-due-on = 到期日
invoice-paid-on = 付款日期
invoice-period = 計費週期
invoice-billed-to = 帳單收件人
invoice-lines = 項目
invoice-description = 說明
invoice-amount = 金額
invoice-subtotal = 小計
invoice-discount = 折扣
invoice-balance = 已折抵餘額
invoice-total = 總計
invoice-amount-paid = 已付金額
invoice-amount-due = 應付金額
invoice-status-paid = 已付款
invoice-status-open = 待付款
invoice-status-void = 已作廢
invoice-status-uncollectible = 無法收款
invoice-status-draft = 草稿
invoice-needs-authentication = 此筆付款需要您透過銀行進行確認。
action-complete-payment = 完成付款

## 登入頁面及其電子郵件

login-title = 登入帳單入口網站
login-lead = 請輸入您在 { $business } 使用的電子郵件地址。我們將透過電子郵件向您傳送一個用於管理帳單的連結。
action-send-link = 透過電子郵件傳送連結
login-sent-heading = 請查收您的電子郵件
login-sent-body = 如果 { $email } 關聯了帳戶，我們已向該地址傳送登入連結。
login-sent-note = 此連結僅可使用一次，並將在 15 分鐘後失效。沒有收到？請檢查垃圾郵件資料夾，或幾分鐘後重試。
login-limited-heading = 嘗試次數過多
login-limited-body = 請等待幾分鐘後再申請新的連結。
login-unavailable-body = 此登入頁面已不可用。請返回您之前所在的網站管理帳單。
login-link-used-heading = 此連結已失效
login-link-used-body = 登入連結僅可使用一次，並將在 15 分鐘後失效。請在登入頁面重新申請。
login-continue-heading = 開啟您的帳單入口網站
login-continue-body = 繼續以管理您的訂閱、付款方式和帳單。此連結只能使用一次。
login-link-again = 取得新連結
email-greeting = 您好：
email-greeting-name = { $name }，您好：
login-email-subject = 您的帳單管理連結
login-email-intro = 這是您用於管理訂閱、付款方式和帳單的連結。
login-email-button = 管理帳單
login-email-expiry = 此連結僅可使用一次，並將在 15 分鐘後失效。
login-email-ignore = 如果您並未申請此郵件，請忽略即可。
invoice-email-subject = 來自 { $business } 的發票 { $number }
invoice-email-due = 發票 { $number } 的付款截止日期為 { $date }。
invoice-email-open = 發票 { $number } 可以付款了。
invoice-email-paid = 發票 { $number } 已付款。謝謝！
invoice-email-pay = 查看並支付發票
invoice-email-view = 查看發票

## 3-D Secure 測試驗證

auth-title = 驗證您的卡片
auth-eyebrow = 3-D Secure 測試驗證
auth-lead-setup = 您的銀行要求您確認：此卡片將被儲存，用於今後的付款。
auth-lead-payment = 您的銀行要求您確認此筆付款。
auth-card = 卡片
auth-card-value = { $brand }（末四碼 { $last4 }）
auth-amount = 金額
auth-purpose = 用途
auth-purpose-setup = 儲存卡片以用於今後的付款
auth-purpose-invoice = 帳單 { $number }
auth-purpose-payment = 帳單付款
auth-note = 此頁面模擬您銀行的驗證流程。請選擇要測試的結果。
auth-approve = 完成驗證
auth-fail = 使驗證失敗
auth-gone-heading = 此連結已失效
auth-gone-body = 驗證已完成或已取消，或者連結已過期。請返回您之前所在的網站重試。
auth-done-heading = 驗證完成
auth-done-body = 謝謝。您可以關閉此頁面，返回您之前所在的網站。
auth-declined-heading = 付款被拒絕
auth-declined-body = 驗證完成後，您的銀行拒絕了此筆付款。請返回您之前所在的網站，使用其他卡片付款。
auth-failed-heading = 驗證失敗
auth-failed-body = 未扣款，也未儲存任何資訊。請返回您之前所在的網站重試，或使用其他卡片。
page-not-found-heading = 找不到頁面
page-not-found-body = 此地址沒有頁面。請檢查您開啟的連結。
rate-limited-heading = 請求過多
rate-limited-body = 請稍候片刻再試。

# The hosted invoice page
hosted-invoice-expired-heading = 此帳單連結已過期
hosted-invoice-expired-body = 為了您的安全，帳單連結在一段時間後會失效。請聯絡寄送此帳單給您的商家以取得新連結。
hosted-invoice-expired-body-named = 為了您的安全，帳單連結在一段時間後會失效。請聯絡 { $business } 以取得新連結。
hosted-invoice-pay-heading = 支付此帳單
hosted-invoice-pay-saved = 使用 { $card } 支付 { $amount }
hosted-invoice-pay-new = 或使用其他卡片支付
hosted-invoice-pay-card = 支付 { $amount }
hosted-invoice-card-note = 此卡片會儲存到您的帳戶以支付此帳單；您的預設付款方式維持不變。
hosted-invoice-paid = 此帳單已支付。謝謝！
