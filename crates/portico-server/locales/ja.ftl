## 日付、請求間隔、価格

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
    [1] 日
   *[other] { $count }日
}
every-week = { $count ->
    [1] 週
   *[other] { $count }週間
}
every-month = { $count ->
    [1] 月
   *[other] { $count }か月
}
every-year = { $count ->
    [1] 年
   *[other] { $count }年
}
price-per-interval = { $amount } / { $interval }
quantity-times = { $quantity } × { $price }
tiered-quantity-total = { $quantity } 点で { $price }
card-expires = 有効期限 { $date }

## 枠組み

default-business-name = 請求ポータル
return-to = { $business }に戻る
powered-by = Portico 提供
terms = 利用規約
privacy = プライバシーポリシー
test-mode = テストモード
skip-to-content = 本文へスキップ
back-to-portal = アカウントに戻る
action-back = 戻る

## セッション外のページとエラー

link-invalid-heading = このリンクは無効です
link-invalid-body = リンクが間違っているか、新しいリンクに置き換えられた可能性があります。元のサイトに戻って、新しいリンクを取得してください。
session-expired-heading = このセッションは有効期限が切れています
session-expired-body = セキュリティ保護のため、ポータルのリンクは一定時間使用されないと無効になります。元のサイトに戻って、新しいセッションを開始してください。
session-taken-heading = このリンクはすでに使用されています
session-taken-body = この請求ポータルのリンクは別のブラウザで開かれています。セキュリティ保護のため、そのブラウザでのみご利用いただけます。元のサイトに戻って、新しいリンクを取得してください。
customer-gone-heading = このアカウントはご利用いただけなくなりました
customer-gone-body = このリンクに対応する請求アカウントは存在しません。
error-heading = 問題が発生しました
error-body = この手続きを完了できませんでした。料金は請求されていません。しばらくしてから、もう一度お試しください。
form-expired-heading = もう一度お試しください
form-expired-body = このフォームは有効期限が切れたか、別のブラウザで開かれました。前のページに戻り、ページを再読み込みしてから、もう一度お試しください。
not-found-heading = 見つかりません
not-found-body = このページは存在しないか、お客様のアカウントに属していません。

## ホーム

home-title = 請求管理
home-subscriptions =
    { $count ->
       *[other] 現在のプラン
    }
home-no-subscriptions = 有効なサブスクリプションはありません。
home-credit = アカウントには { $amount } のクレジットがあり、次回以降の請求書に充当されます。
home-payment-methods = 支払い方法
home-no-cards = 登録されている支払い方法はありません。
home-billing-information = 請求先情報
home-no-billing-information = 登録されている請求先情報はありません。
home-invoice-history = 請求履歴
home-no-invoices = 請求書はまだありません。
home-older-invoices = 以前の請求書
sub-renews-on = { $date }に更新されます
sub-incomplete-pay = 最初の請求書が未払いです。お支払いいただくとサブスクリプションが開始されます。
sub-past-due-pay = 支払いに失敗し、請求書が未払いのままです。サブスクリプションを継続するにはお支払いください。
sub-overdue-pay = 請求書の支払期日が過ぎています。サブスクリプションを継続するにはお支払いください。
action-pay-invoice = 請求書を支払う
sub-cancels-on = { $date }にキャンセルされます
sub-trial-ends = トライアルは{ $date }に終了します
sub-paused = { $date }から一時停止中
sub-changes-on = { $date }に{ $product }（{ $price }）へ変更されます
sub-change-waiting = { $product }（{ $price }）への変更は、カードの認証を待っています。
sub-discount = 割引
sub-discount-until = { $date }まで{ $off }
status-trialing = トライアル中
status-past-due = 支払い期限超過
status-incomplete = 未完了
status-paused = 一時停止中
status-canceling = キャンセル予定
card-default = デフォルト
action-update-subscription = サブスクリプションを更新
action-cancel-subscription = サブスクリプションをキャンセル
action-renew-subscription = サブスクリプションを再開
action-make-default = デフォルトに設定
action-remove = 削除
action-add-payment-method = 支払い方法を追加
action-update-information = 情報を更新
card-keep-heading = この支払い方法は削除できません
card-keep-body = サブスクリプションにはデフォルトの支払い方法が必要です。このカードを削除する前に、別のカードを追加してデフォルトに設定してください。
card-remove-title = このカードを削除しますか？
card-remove-body = { $card }（{ $expires }）をアカウントから削除します。いつでも再度追加できます。
action-remove-card = カードを削除
action-keep-card = カードを残す
notice-canceled = サブスクリプションがキャンセルされました。
notice-canceling = サブスクリプションは請求期間の終了時にキャンセルされます。
notice-retained = オファーが適用されました。
notice-updated = サブスクリプションが更新されました。
notice-scheduled = プランの変更が予約されました。
notice-renewed = サブスクリプションが再開されました。
notice-card-added = 支払い方法が追加されました。
notice-default-set = デフォルトの支払い方法が更新されました。
notice-card-removed = 支払い方法が削除されました。
notice-info-saved = 請求先情報が保存されました。

## 請求先情報

billing-title = 請求先情報
billing-lead = この情報は請求書に記載されます。
billing-fix-errors = 強調表示された項目を修正してください。
field-name = 名前
field-email = メールアドレス
field-phone = 電話番号
field-billing-address = 請求先住所
field-shipping-address = 配送先住所
field-shipping-name = 受取人名
field-line1 = 住所1
field-line2 = 住所2（任意）
field-city = 市区町村
field-postal-code = 郵便番号
field-state = 都道府県・州
field-country = 国
field-country-hint = JP や US などの2文字の国コードです。
action-save = 保存
action-cancel = キャンセル
error-too-long = 長すぎます。{ $max }文字以内で入力してください。
error-email = 有効なメールアドレスを入力してください。
error-email-required = メールアドレスを入力してください。
error-country = US や DE のような2文字の国コードを入力してください。
error-shipping-name = 配送先住所には受取人名が必要です。
error-address-required = 住所1、市区町村、国を入力してください。住所を削除するには、すべての欄を空にしてください。
error-address-region = 米国またはカナダの住所では、都道府県・州と郵便番号も入力してください。
error-phone = +81 3 1234 5678 のような有効な電話番号を入力してください。

## カード

card-add-title = 支払い方法を追加
card-update-title = 支払い方法を更新
card-lead = カード情報は安全に保存され、今後の請求書のお支払いに使用されます。
card-default-note = このカードがデフォルトの支払い方法になります。
card-test-hint = テストモード：4242 4242 4242 4242 に、将来の任意の日付と任意の CVC を組み合わせてご利用ください。4000 0000 0000 0002 は拒否されます。4000 0027 6000 3184 では 3Dセキュア認証が求められます。
field-card-number = カード番号
field-card-expiry = 有効期限
field-card-expiry-placeholder = MM / YY
field-card-cvc = セキュリティコード
field-card-cvc-placeholder = CVC
field-cardholder = カード名義人
action-add-card = カードを追加
action-update-payment-method = 支払い方法を更新
card-error-number = カード番号が無効です。
card-error-expiry = カードの有効期限が無効です。
card-error-cvc = カードのセキュリティコードが無効です。
card-error-expired = カードの有効期限が切れています。
card-error-declined = カードが拒否されました。
card-error-insufficient-funds = カードの利用可能額が不足しています。
card-error-authentication = 支払い方法を認証できませんでした。別の支払い方法を選択して、もう一度お試しください。

## キャンセル

cancel-title = サブスクリプションをキャンセル
cancel-end-consequence = { $product }のサブスクリプションはキャンセルされますが、請求期間が終了する{ $date }までは引き続きご利用いただけます。
cancel-now-consequence = { $product }のサブスクリプションは直ちに終了します。
cancel-credit-note = 現在の請求期間の未使用分は、アカウントにクレジットとして付与されます。
cancel-credit-amount = 現在の請求期間の未使用分 { $amount } は、アカウントにクレジットとして付与されます。
cancel-unavailable-heading = このサブスクリプションはここではキャンセルできません
cancel-unavailable-body = すでに終了しているか、キャンセルが予定されています。
action-keep-subscription = サブスクリプションを継続
reason-question = キャンセルの理由を教えてください（任意）
reason-comment = その他にお聞かせいただけることはありますか？
reason-comment-hint = 任意です。改善できる点があればお聞かせください。
reason-customer-service = カスタマーサービスが期待を下回った
reason-low-quality = 品質が期待を下回った
reason-missing-features = 必要な機能が不足している
reason-other = その他の理由
reason-switched-service = 別のサービスに乗り換える
reason-too-complex = 使いやすさが期待を下回った
reason-too-expensive = 料金が高すぎる
reason-unused = サービスをあまり利用していない
error-reason = 表示されている理由から1つ選択してください。
error-comment-too-long = コメントが長すぎます。
offer-title = キャンセルする前に
offer-lead = 引き続きご利用いただけるよう、特別なオファーをご用意しました。
offer-headline = { $when }{ $off }
offer-percent-off = { $percent }%オフ
offer-amount-off = { $amount }オフ
offer-once = 次回の請求で
offer-forever = ご利用中はずっと
offer-months = { $months }か月間
offer-detail = 割引はサブスクリプションにすぐに適用されます。本日、追加の料金が請求されることはありません。
offer-next-invoice = { $date }の次回の請求額は、{ $was }ではなく{ $now }になります。
action-accept-offer = オファーを受け取る
action-decline-offer-cancel = いいえ、サブスクリプションをキャンセルします
offer-unavailable-heading = このオファーはご利用いただけなくなりました
offer-unavailable-body = このオファーはサブスクリプションに適用できなくなりました。変更は行われていません。

## プランの変更

update-title = プランを変更
update-current = 現在のプラン：
update-current-badge = ご利用中
update-choose-plan = プランを選択
update-interval-label = 請求間隔
update-nothing-else = 現在、このサブスクリプションの変更先となる他のプランはありません。
interval-tab-day = 毎日
interval-tab-week = 毎週
interval-tab-month = 毎月
interval-tab-year = 毎年
field-quantity = 数量
field-promotion-code = プロモーションコード
quantity-between = { $min }～{ $max }の範囲で入力してください。
quantity-at-least = { $min }以上で入力してください。
action-continue = 続行
update-unavailable-heading = このサブスクリプションはここでは更新できません
update-unavailable-body = 終了している、キャンセルが予定されている、またはすでに変更が予定されている可能性があります。
update-waiting-heading = プラン変更は認証待ちです
update-waiting-body = この変更の支払いについて、銀行が確認を求めています。認証すると変更が適用されます。認証しない場合、プランは変わりません。
update-waiting-action = 支払いを認証する
error-plan = 表示されているプランから1つ選択してください。
error-quantity = 1以上の整数を入力してください。
error-promotion-code = このプロモーションコードは無効か、このプランには使用できません。
error-no-change = 別のプランまたは数量を選択してください。
confirm-no-change-heading = 変更はありません
confirm-no-change-body = ご利用中のサブスクリプションはすでにこのプランです。確認する内容はありません。
change-unavailable-heading = この変更は利用できなくなりました
change-unavailable-body = プランや割引など、この変更に必要なものが提供されなくなりました。変更は行われていません。
preview-title = 新しいプランの確認
preview-current-plan = 現在のプラン
preview-new-plan = 新しいプラン
preview-timing-now = 確認すると、すぐにプランが変更されます。
preview-timing-later = プランは現在の請求期間が終了する{ $date }に変更されます。それまで料金は請求されません。
preview-timing-trial-ends = 確認すると、すぐにトライアルが終了し、新しいプランが本日から開始されます。
preview-timing-trial-continues = トライアルは継続され、新しいプランはトライアル終了後から適用されます。
preview-lines-caption = この変更に伴う請求とクレジット
preview-lines-next-invoice = これらの請求とクレジットは次回の請求に含まれます。
preview-discount = 割引
preview-discount-applied = サブスクリプションに適用済み
preview-discount-next = 次回の請求書の割引
preview-due-today = 本日のお支払い金額
preview-paid-with = { $card } に請求されます
preview-sent-invoice = この金額の請求書が送付されます。支払期日は { $date } です。
preview-next-invoice = 次回の請求（{ $date }）
preview-credit = 変更後、アカウント残高は { $amount } のクレジットとなり、次回以降の請求書に充当されます。
action-confirm = 確認
action-use-another-card = 別のカードを使用
line-unused-time = { $quantity } × { $product }の未使用分
line-remaining-time = { $quantity } × { $product }の残り期間分
line-one-off = { $quantity } × { $product }
line-unnamed = 項目
line-period = { $quantity } × { $product }（{ $start }～{ $end }）
line-period-flat = { $product }（{ $start }～{ $end }）
line-tier = { $product }・ティア { $tier }
update-not-applied-heading = プランは変更されませんでした
update-not-applied-body = この変更に対するお支払いが完了しなかったため、変更は行われていません。

## 完了

done-card-heading = 支払い方法を更新しました
done-card-body = 末尾が { $last4 } の{ $brand }が、デフォルトの支払い方法になりました。
done-canceled-heading = サブスクリプションをキャンセルしました
done-canceled-now = { $product }のサブスクリプションをキャンセルしました。
done-canceled-later = { $product }のサブスクリプションは{ $date }に終了します。それまでは引き続きご利用いただけます。
done-retained-heading = オファーを受け取りました
done-retained-body = 継続していただきありがとうございます！{ $product }のサブスクリプションに割引が適用されました。
done-updated-heading = サブスクリプションを更新しました
done-updated-now = 現在のプランは{ $product }（{ $price }）です。
done-updated-later = { $date }にプランが{ $product }（{ $price }）に変更されます。
done-charged = { $amount }が請求されました。
done-close = このページを閉じていただいて構いません。

## 請求書

invoice-title = 請求書
invoice-date = 日付
invoice-due-on = 支払期日
invoice-paid-on = 支払日
invoice-period = 請求期間
invoice-billed-to = 請求先
invoice-lines = 明細
invoice-description = 内容
invoice-amount = 金額
invoice-subtotal = 小計
invoice-discount = 割引
invoice-balance = 残高の適用
invoice-total = 合計
invoice-amount-paid = 支払済み金額
invoice-amount-due = 請求金額
invoice-status-paid = 支払い済み
invoice-status-open = 未払い
invoice-status-void = 無効
invoice-status-uncollectible = 回収不能
invoice-status-draft = 下書き
invoice-needs-authentication = このお支払いには、ご利用の銀行での確認が必要です。
action-complete-payment = 支払いを完了

## ログインページとそのメール

login-title = 請求ポータルにログイン
login-lead = { $business }でご利用のメールアドレスを入力してください。請求情報を管理するためのリンクをメールでお送りします。
action-send-link = リンクをメールで送信
login-sent-heading = メールをご確認ください
login-sent-body = { $email } がアカウントに登録されている場合は、ログイン用リンクをお送りしました。
login-sent-note = リンクは1回のみ有効で、15分後に期限切れとなります。届かない場合は、迷惑メールフォルダをご確認いただくか、数分後にもう一度お試しください。
login-limited-heading = 試行回数が多すぎます
login-limited-body = 数分待ってから、もう一度リンクをリクエストしてください。
login-unavailable-body = このログインページはご利用いただけなくなりました。請求情報を管理するには、元のサイトに戻ってください。
login-link-used-heading = このリンクは有効期限が切れています
login-link-used-body = ログイン用リンクは1回のみ有効で、15分後に期限切れとなります。ログインページで新しいリンクをリクエストしてください。
login-continue-heading = 請求ポータルを開く
login-continue-body = 続行して、サブスクリプション、支払い方法、請求書を管理します。このリンクは一度だけ使えます。
login-link-again = 新しいリンクを受け取る
email-greeting = お客様
email-greeting-name = { $name } 様
login-email-subject = 請求情報の管理用リンク
login-email-intro = サブスクリプション、支払い方法、請求書を管理するためのリンクをお送りします。
login-email-button = 請求情報を管理
login-email-expiry = このリンクは1回のみ有効で、15分後に期限切れとなります。
login-email-ignore = このメールに心当たりがない場合は、破棄していただいて構いません。
invoice-email-subject = { $business } からの請求書 { $number }
invoice-email-due = 請求書 { $number } の支払期日は { $date } です。
invoice-email-open = 請求書 { $number } のお支払いをお願いします。
invoice-email-paid = 請求書 { $number } のお支払いを確認しました。ありがとうございます。
invoice-email-pay = 請求書を確認して支払う
invoice-email-view = 請求書を見る

## 3Dセキュアのテスト認証

auth-title = カードの認証
auth-eyebrow = 3Dセキュアのテスト認証
auth-lead-setup = 今後のお支払いのためにこのカードを保存することについて、銀行が確認を求めています。
auth-lead-payment = 銀行がこのお支払いの確認を求めています。
auth-card = カード
auth-card-value = { $brand }（末尾 { $last4 }）
auth-amount = 金額
auth-purpose = 目的
auth-purpose-setup = 今後のお支払い用にカードを保存
auth-purpose-invoice = 請求書 { $number }
auth-purpose-payment = 請求書のお支払い
auth-note = このページは銀行による確認をシミュレートしています。テストする結果を選択してください。
auth-approve = 認証を完了
auth-fail = 認証を失敗させる
auth-gone-heading = このリンクは無効になりました
auth-gone-body = 認証はすでに完了またはキャンセルされているか、リンクの有効期限が切れています。元のサイトに戻って、もう一度お試しください。
auth-done-heading = 認証が完了しました
auth-done-body = ありがとうございました。このページを閉じて、元のサイトにお戻りください。
auth-declined-heading = お支払いが拒否されました
auth-declined-body = 認証後に銀行がお支払いを拒否しました。元のサイトに戻って、別のカードをご利用ください。
auth-failed-heading = 認証に失敗しました
auth-failed-body = 料金の請求やカードの保存は行われていません。元のサイトに戻って、もう一度お試しいただくか、別のカードをご利用ください。
page-not-found-heading = ページが見つかりません
page-not-found-body = このアドレスにはページがありません。開いたリンクをご確認ください。
rate-limited-heading = リクエストが多すぎます
rate-limited-body = しばらく待ってから、もう一度お試しください。

# The hosted invoice page
hosted-invoice-expired-heading = この請求書のリンクは有効期限が切れています
hosted-invoice-expired-body = セキュリティのため、請求書のリンクは一定期間が過ぎると使えなくなります。新しいリンクについては、この請求書を送った事業者にお問い合わせください。
hosted-invoice-expired-body-named = セキュリティのため、請求書のリンクは一定期間が過ぎると使えなくなります。新しいリンクについては { $business } にお問い合わせください。
hosted-invoice-pay-heading = この請求書を支払う
hosted-invoice-pay-saved = { $card } で { $amount } を支払う
hosted-invoice-pay-new = または別のカードで支払う
hosted-invoice-pay-card = { $amount } を支払う
hosted-invoice-card-note = このカードは請求書の支払いのためにアカウントに保存されます。デフォルトの支払い方法は変わりません。
hosted-invoice-paid = この請求書は支払い済みです。ありがとうございました。
