## Datas, intervalos e preços

month-1 = janeiro
month-2 = fevereiro
month-3 = março
month-4 = abril
month-5 = maio
month-6 = junho
month-7 = julho
month-8 = agosto
month-9 = setembro
month-10 = outubro
month-11 = novembro
month-12 = dezembro
date-long = { $day } de { $month } de { $year }
every-day = { $count ->
    [one] dia
   *[other] { $count } dias
}
every-week = { $count ->
    [one] semana
   *[other] { $count } semanas
}
every-month = { $count ->
    [one] mês
   *[other] { $count } meses
}
every-year = { $count ->
    [one] ano
   *[other] { $count } anos
}
price-per-interval = { $amount } / { $interval }
quantity-times = { $quantity } × { $price }
tiered-quantity-total = { $price } por { $quantity }
card-expires = Validade: { $date }

## Estrutura da página

default-business-name = Cobrança
return-to = Voltar para { $business }
powered-by = Com tecnologia Portico
terms = Termos
privacy = Privacidade
test-mode = Modo de teste
skip-to-content = Pular para o conteúdo
back-to-portal = Voltar para sua conta
action-back = Voltar

## Páginas fora de uma sessão e erros

link-invalid-heading = Este link não é válido
link-invalid-body = O link pode ter sido digitado incorretamente ou foi substituído por um mais recente. Volte ao site de onde você veio para obter um novo link.
session-expired-heading = Esta sessão expirou
session-expired-body = Para sua segurança, os links do portal expiram quando não são usados. Volte ao site de onde você veio para abrir uma nova sessão.
session-taken-heading = Este link já foi usado
session-taken-body = Este link do portal de cobrança foi aberto em outro navegador. Para sua segurança, ele só funciona lá. Volte ao site de onde você veio para obter um novo link.
customer-gone-heading = Esta conta não está mais disponível
customer-gone-body = Não há mais nenhuma conta de cobrança associada a este link.
error-heading = Algo deu errado
error-body = Não foi possível concluir esta etapa. Nenhuma cobrança foi feita. Tente novamente daqui a pouco.
form-expired-heading = Tente novamente
form-expired-body = Este formulário expirou ou foi aberto em outro navegador. Volte, recarregue a página e tente novamente.
not-found-heading = Não encontrado
not-found-body = Esta página não existe ou não faz parte da sua conta.

## Página inicial

home-title = Sua cobrança
home-subscriptions =
    { $count ->
        [one] Plano atual
       *[other] Planos atuais
    }
home-no-subscriptions = Você não tem nenhuma assinatura ativa.
home-credit = Sua conta tem um crédito de { $amount }, usado nas suas próximas faturas.
home-payment-methods = Formas de pagamento
home-no-cards = Nenhuma forma de pagamento cadastrada.
home-billing-information = Informações de cobrança
home-no-billing-information = Nenhuma informação de cobrança cadastrada.
home-invoice-history = Histórico de faturas
home-no-invoices = Nenhuma fatura até o momento.
home-older-invoices = Faturas anteriores
sub-renews-on = Renova em { $date }
sub-incomplete-pay = A primeira fatura aguarda pagamento: pague-a para iniciar a assinatura.
sub-past-due-pay = Um pagamento falhou e a fatura continua em aberto: pague-a para manter a assinatura.
sub-overdue-pay = Uma fatura passou da data de vencimento: pague-a para manter sua assinatura.
action-pay-invoice = Pagar fatura
sub-cancels-on = Será cancelada em { $date }
sub-trial-ends = O período de teste termina em { $date }
sub-paused = Pausada desde { $date }
sub-changes-on = Muda para { $product } ({ $price }) em { $date }
sub-change-waiting = Uma mudança para { $product } ({ $price }) está aguardando a autenticação do seu cartão.
sub-discount = Desconto
sub-discount-until = { $off } até { $date }
status-trialing = Período de teste
status-past-due = Em atraso
status-incomplete = Incompleta
status-paused = Pausada
status-canceling = Cancelamento agendado
card-default = Padrão
action-update-subscription = Atualizar assinatura
action-cancel-subscription = Cancelar assinatura
action-renew-subscription = Renovar assinatura
action-make-default = Tornar padrão
action-remove = Remover
action-add-payment-method = Adicionar forma de pagamento
action-update-information = Atualizar informações
card-keep-heading = Esta forma de pagamento não pode ser removida
card-keep-body = Sua assinatura precisa de uma forma de pagamento padrão. Adicione outro cartão e defina-o como padrão antes de remover este.
card-remove-title = Remover este cartão?
card-remove-body = { $card } ({ $expires }) será removido da sua conta. Você pode adicioná-lo novamente a qualquer momento.
action-remove-card = Remover cartão
action-keep-card = Manter cartão
notice-canceled = Sua assinatura foi cancelada.
notice-canceling = Sua assinatura será cancelada no fim do período de cobrança.
notice-retained = Sua oferta foi aplicada.
notice-updated = Sua assinatura foi atualizada.
notice-scheduled = A mudança do seu plano foi agendada.
notice-renewed = Sua assinatura foi renovada.
notice-card-added = Sua forma de pagamento foi adicionada.
notice-default-set = Sua forma de pagamento padrão foi atualizada.
notice-card-removed = Sua forma de pagamento foi removida.
notice-info-saved = Suas informações de cobrança foram salvas.

## Informações de cobrança

billing-title = Informações de cobrança
billing-lead = Estas informações aparecem nas suas faturas.
billing-fix-errors = Corrija os campos destacados.
field-name = Nome
field-email = E-mail
field-phone = Telefone
field-billing-address = Endereço de cobrança
field-shipping-address = Endereço de entrega
field-shipping-name = Nome do destinatário
field-line1 = Endereço
field-line2 = Complemento (opcional)
field-city = Cidade
field-postal-code = CEP / código postal
field-state = Estado ou região
field-country = País
field-country-hint = Código do país com duas letras, como BR ou PT.
action-save = Salvar
action-cancel = Cancelar
error-too-long = Este texto é longo demais: no máximo { $max } caracteres.
error-email = Informe um endereço de e-mail válido.
error-email-required = Informe seu endereço de e-mail.
error-country = Informe o código de duas letras de um país, como US ou DE.
error-shipping-name = Um endereço de entrega precisa do nome do destinatário.
error-address-required = Informe Endereço, Cidade e País, ou deixe todos os campos em branco para remover o endereço.
error-address-region = Para um endereço nos Estados Unidos ou no Canadá, informe também Estado ou região e CEP / código postal.
error-phone = Informe um número de telefone válido, como +55 11 91234 5678.

## Cartões

card-add-title = Adicionar forma de pagamento
card-update-title = Atualizar sua forma de pagamento
card-lead = Seu cartão é salvo com segurança e usado nas suas próximas faturas.
card-default-note = Este cartão se tornará sua forma de pagamento padrão.
card-test-hint = Modo de teste: use 4242 4242 4242 4242 com qualquer data futura e qualquer CVC. O cartão 4000 0000 0000 0002 é recusado; o 4000 0027 6000 3184 solicita a autenticação 3-D Secure.
field-card-number = Número do cartão
field-card-expiry = Data de validade
field-card-expiry-placeholder = MM / AA
field-card-cvc = Código de segurança
field-card-cvc-placeholder = CVC
field-cardholder = Nome impresso no cartão
action-add-card = Adicionar cartão
action-update-payment-method = Atualizar forma de pagamento
card-error-number = O número do seu cartão é inválido.
card-error-expiry = A data de validade do seu cartão é inválida.
card-error-cvc = O código de segurança do seu cartão é inválido.
card-error-expired = Seu cartão está vencido.
card-error-declined = Seu cartão foi recusado.
card-error-insufficient-funds = Seu cartão não tem saldo suficiente.
card-error-authentication = Não foi possível autenticar sua forma de pagamento. Escolha outra forma de pagamento e tente novamente.

## Cancelamento

cancel-title = Cancelar sua assinatura
cancel-end-consequence = Sua assinatura de { $product } será cancelada, mas continuará disponível até o fim do seu período de cobrança, em { $date }.
cancel-now-consequence = Sua assinatura de { $product } será encerrada imediatamente.
cancel-credit-note = O tempo não utilizado do período atual será creditado na sua conta.
cancel-credit-amount = O tempo não utilizado do período atual, { $amount }, será creditado na sua conta.
cancel-unavailable-heading = Esta assinatura não pode ser cancelada aqui
cancel-unavailable-body = Ela já foi encerrada ou já está programada para ser cancelada.
action-keep-subscription = Manter assinatura
reason-question = Por que você está cancelando? (opcional)
reason-comment = Gostaria de comentar mais alguma coisa?
reason-comment-hint = Opcional. Conte para nós o que poderíamos fazer melhor.
reason-customer-service = O atendimento ao cliente ficou abaixo do esperado
reason-low-quality = A qualidade ficou abaixo do esperado
reason-missing-features = Faltam alguns recursos
reason-other = Outro motivo
reason-switched-service = Vou mudar para outro serviço
reason-too-complex = A facilidade de uso ficou abaixo do esperado
reason-too-expensive = É caro demais
reason-unused = Não uso o serviço o suficiente
error-reason = Escolha um dos motivos da lista.
error-comment-too-long = Seu comentário é longo demais.
offer-title = Antes de você ir
offer-lead = Gostaríamos que você ficasse. Temos uma oferta para você.
offer-headline = { $off } { $when }
offer-percent-off = { $percent }% de desconto
offer-amount-off = { $amount } de desconto
offer-once = na sua próxima fatura
offer-forever = enquanto você mantiver a assinatura
offer-months = { $months ->
    [one] por 1 mês
   *[other] por { $months } meses
}
offer-detail = O desconto é aplicado à sua assinatura imediatamente. Nenhum valor adicional será cobrado hoje.
offer-next-invoice = Sua próxima fatura, em { $date }, será de { $now } em vez de { $was }.
action-accept-offer = Aceitar oferta
action-decline-offer-cancel = Não, obrigado. Cancelar assinatura
offer-unavailable-heading = Esta oferta não está mais disponível
offer-unavailable-body = A oferta não pode mais ser aplicada à sua assinatura. Nada foi alterado.

## Mudança de plano

update-title = Atualizar seu plano
update-current = Plano atual:
update-current-badge = Atual
update-choose-plan = Escolha um plano
update-interval-label = Frequência de cobrança
update-nothing-else = No momento não há outro plano para o qual mudar esta assinatura.
interval-tab-day = Diário
interval-tab-week = Semanal
interval-tab-month = Mensal
interval-tab-year = Anual
field-quantity = Quantidade
field-promotion-code = Código promocional
quantity-between = Entre { $min } e { $max }.
quantity-at-least = No mínimo { $min }.
action-continue = Continuar
update-unavailable-heading = Esta assinatura não pode ser atualizada aqui
update-unavailable-body = Ela pode ter sido encerrada, estar programada para ser cancelada ou já ter uma mudança pendente.
update-waiting-heading = Sua mudança de plano está aguardando autenticação
update-waiting-body = Seu banco pediu para confirmar o pagamento desta mudança. Autentique-o para aplicar a mudança; caso contrário, seu plano continua como está.
update-waiting-action = Autenticar pagamento
error-plan = Escolha um dos planos oferecidos.
error-quantity = Informe um número inteiro igual ou maior que 1.
error-promotion-code = Este código promocional é inválido ou não pode ser usado neste plano.
error-no-change = Escolha outro plano ou outra quantidade.
confirm-no-change-heading = Nada a alterar
confirm-no-change-body = Sua assinatura já está neste plano, então não há nada a confirmar.
change-unavailable-heading = Esta alteração não está mais disponível
change-unavailable-body = Algo de que ela precisa, como o plano ou o desconto, não é mais oferecido. Nada foi alterado.
preview-title = Confirmar seu novo plano
preview-current-plan = Plano atual
preview-new-plan = Novo plano
preview-timing-now = Seu plano muda assim que você confirmar.
preview-timing-later = Seu plano muda em { $date }, no fim do seu período de cobrança atual. Nada será cobrado até lá.
preview-timing-trial-ends = Seu período de teste termina assim que você confirmar, e seu novo plano começa hoje.
preview-timing-trial-continues = Seu período de teste continua; o novo plano passa a valer quando ele terminar.
preview-lines-caption = Cobranças e créditos desta mudança
preview-lines-next-invoice = Essas cobranças e créditos serão incluídos na sua próxima fatura.
preview-discount = Desconto
preview-discount-applied = Aplicado à sua assinatura
preview-discount-next = Desconto na próxima fatura
preview-due-today = Valor devido hoje
preview-paid-with = Cobrado em { $card }
preview-sent-invoice = Você receberá uma fatura deste valor, com vencimento em { $date }.
preview-next-invoice = Próxima fatura em { $date }
preview-credit = O saldo da sua conta terá um crédito de { $amount }, usado nas suas próximas faturas.
action-confirm = Confirmar
action-use-another-card = Usar outro cartão
line-unused-time = Tempo não utilizado de { $quantity } × { $product }
line-remaining-time = Tempo restante de { $quantity } × { $product }
line-one-off = { $quantity } × { $product }
line-unnamed = Item
line-period = { $quantity } × { $product } ({ $start } – { $end })
line-period-flat = { $product } ({ $start } – { $end })
line-tier = { $product } · faixa { $tier }
update-not-applied-heading = Seu plano não foi alterado
update-not-applied-body = O pagamento desta mudança não foi concluído, então nada foi alterado.

## Confirmação

done-card-heading = Forma de pagamento atualizada
done-card-body = Seu cartão { $brand } com final { $last4 } agora é sua forma de pagamento padrão.
done-canceled-heading = Assinatura cancelada
done-canceled-now = Sua assinatura de { $product } foi cancelada.
done-canceled-later = Sua assinatura de { $product } será encerrada em { $date }. Você pode usá-la até lá.
done-retained-heading = Oferta aceita
done-retained-body = Obrigado por ficar! O desconto foi aplicado à sua assinatura de { $product }.
done-updated-heading = Assinatura atualizada
done-updated-now = Agora você está no plano { $product } ({ $price }).
done-updated-later = Seu plano mudará para { $product } ({ $price }) em { $date }.
done-charged = Foi cobrado o valor de { $amount }.
done-close = Você já pode fechar esta página.

## Faturas

invoice-title = Fatura
invoice-date = Data
invoice-due-on = Data de vencimento
invoice-paid-on = Paga em
invoice-period = Período
invoice-billed-to = Faturado para
invoice-lines = Itens
invoice-description = Descrição
invoice-amount = Valor
invoice-subtotal = Subtotal
invoice-discount = Desconto
invoice-balance = Saldo aplicado
invoice-total = Total
invoice-amount-paid = Valor pago
invoice-amount-due = Valor devido
invoice-status-paid = Paga
invoice-status-open = Em aberto
invoice-status-void = Anulada
invoice-status-uncollectible = Incobrável
invoice-status-draft = Rascunho
invoice-needs-authentication = Este pagamento precisa ser confirmado com o seu banco.
action-complete-payment = Concluir pagamento

## Página de acesso e seu e-mail

login-title = Acesse seu portal de cobrança
login-lead = Informe o endereço de e-mail que você usa com { $business }. Enviaremos por e-mail um link para você gerenciar sua cobrança.
action-send-link = Enviar link por e-mail
login-sent-heading = Verifique seu e-mail
login-sent-body = Se { $email } pertencer a uma conta, enviamos um link de acesso para esse endereço.
login-sent-note = O link só pode ser usado uma vez e expira em 15 minutos. Não recebeu? Verifique sua pasta de spam ou tente novamente daqui a alguns minutos.
login-limited-heading = Muitas tentativas
login-limited-body = Aguarde alguns minutos antes de pedir outro link.
login-unavailable-body = Esta página de acesso não está mais disponível. Volte ao site de onde você veio para gerenciar sua cobrança.
login-link-used-heading = Este link expirou
login-link-used-body = Os links de acesso só podem ser usados uma vez e expiram após 15 minutos. Peça um novo na página de acesso.
login-continue-heading = Abrir seu portal de cobrança
login-continue-body = Continue para gerenciar sua assinatura, formas de pagamento e faturas. O link funciona uma única vez.
login-link-again = Pedir um novo link
email-greeting = Olá,
email-greeting-name = Olá, { $name },
login-email-subject = Seu link para gerenciar sua cobrança
login-email-intro = Aqui está seu link para gerenciar sua assinatura, formas de pagamento e faturas.
login-email-button = Gerenciar cobrança
login-email-expiry = O link só pode ser usado uma vez e expira em 15 minutos.
login-email-ignore = Se você não pediu este e-mail, pode ignorá-lo.
invoice-email-subject = Fatura { $number } de { $business }
invoice-email-due = A fatura { $number } vence em { $date }.
invoice-email-open = A fatura { $number } está pronta para pagamento.
invoice-email-paid = A fatura { $number } foi paga. Obrigado!
invoice-email-pay = Ver e pagar a fatura
invoice-email-view = Ver a fatura

## Autenticação 3-D Secure de teste

auth-title = Autentique seu cartão
auth-eyebrow = Autenticação 3-D Secure de teste
auth-lead-setup = Seu banco pede que você confirme que está salvando este cartão para pagamentos futuros.
auth-lead-payment = Seu banco pede que você confirme este pagamento.
auth-card = Cartão
auth-card-value = { $brand } com final { $last4 }
auth-amount = Valor
auth-purpose = Finalidade
auth-purpose-setup = Salvar cartão para pagamentos futuros
auth-purpose-invoice = Fatura { $number }
auth-purpose-payment = Pagamento de fatura
auth-note = Esta página simula a verificação do seu banco. Escolha o resultado que deseja testar.
auth-approve = Concluir autenticação
auth-fail = Reprovar autenticação
auth-gone-heading = Este link não é mais válido
auth-gone-body = A autenticação já foi concluída ou cancelada, ou o link expirou. Volte ao site de onde você veio para tentar novamente.
auth-done-heading = Autenticação concluída
auth-done-body = Obrigado. Você pode fechar esta página e voltar ao site de onde veio.
auth-declined-heading = Pagamento recusado
auth-declined-body = Seu banco recusou o pagamento após a autenticação. Volte ao site de onde você veio para usar outro cartão.
auth-failed-heading = Falha na autenticação
auth-failed-body = Nada foi cobrado nem salvo. Volte ao site de onde você veio para tentar novamente ou usar outro cartão.
page-not-found-heading = Página não encontrada
page-not-found-body = Não há nenhuma página neste endereço. Verifique o link que você seguiu.
rate-limited-heading = Muitas solicitações
rate-limited-body = Aguarde um momento e tente novamente.

# The hosted invoice page
hosted-invoice-expired-heading = Este link de fatura expirou
hosted-invoice-expired-body = Para sua segurança, os links de fatura deixam de funcionar depois de algum tempo. Entre em contato com a empresa que enviou esta fatura para receber um novo link.
hosted-invoice-expired-body-named = Para sua segurança, os links de fatura deixam de funcionar depois de algum tempo. Entre em contato com { $business } para receber um novo link.
hosted-invoice-pay-heading = Pagar esta fatura
hosted-invoice-pay-saved = Pagar { $amount } com { $card }
hosted-invoice-pay-new = Ou pague com outro cartão
hosted-invoice-pay-card = Pagar { $amount }
hosted-invoice-card-note = O cartão é salvo na sua conta para pagar esta fatura; sua forma de pagamento padrão continua a mesma.
hosted-invoice-paid = Esta fatura está paga. Obrigado!
