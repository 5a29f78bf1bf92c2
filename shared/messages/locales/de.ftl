open = In cleanops öffnen
footer = Sie erhalten diese Nachricht wegen Ihrer Benachrichtigungseinstellungen in cleanops.
secret-footer = Falls Sie diese Nachricht nicht erwartet haben, ignorieren Sie sie: Es ändert sich nichts.
role-admin = Administrator
role-dispatcher = Disponent
role-cleaner = Reinigungskraft
role-customer = Kunde

cleanerLate-subject = { $cleaner } hat in { $site } nicht eingecheckt
cleanerLate-body = { $cleaner } hat in { $site } nicht eingecheckt, und das Reinigungsfenster endete um { $time }. { $stops ->
    [one] Ein Raum ist noch offen.
   *[other] { $stops } Räume sind noch offen.
}
cleanerLate-sms = cleanops: { $cleaner } nicht eingecheckt in { $site } (Fenster endete { $time }).

visitSkipped-subject = { $status ->
    [not-accessible] { $area } in { $site } war nicht zugänglich
   *[other] { $area } in { $site } wurde ausgelassen
}
visitSkipped-body = { $cleaner } { $status ->
    [not-accessible] kam nicht in
   *[other] hat ausgelassen:
} { $area } in { $site } um { $time }. Grund: { $reason }
visitSkipped-sms = cleanops: { $area } in { $site } { $status ->
    [not-accessible] nicht zugänglich
   *[other] ausgelassen
} ({ $cleaner }, { $time }): { $reason }

inspectionFailed-subject = Qualitätskontrolle in { $site }: { $score } %
inspectionFailed-body = Die Qualitätskontrolle in { $site } am { $date } ergab { $score } %, unter den vereinbarten { $threshold } %. Die Disposition klärt es mit dem Team.
inspectionFailed-sms = cleanops: Kontrolle in { $site } am { $date }: { $score } % (Schwelle { $threshold } %).

planActivated-subject = Ihre Woche ab { $date }
planActivated-body = Ihr Plan hat sich geändert. Ab { $date } haben Sie { $stops ->
    [one] einen Einsatz
   *[other] { $stops } Einsätze
}. Öffnen Sie Ihre Woche für Räume und Zeiten.
planActivated-sms = cleanops: Ihre Woche ab { $date } hat sich geändert ({ $stops } Einsätze). { $link }

demandCleaning-subject = Bitte { $area } in { $site } reinigen
demandCleaning-body = Die Sensoren melden, dass { $area } in { $site } gereinigt werden muss. Bitte bis { $time } reinigen.
demandCleaning-sms = cleanops: Bitte { $area } in { $site } bis { $time } reinigen.

invitation-subject = { $company } lädt Sie zu cleanops ein
invitation-body = { $company } lädt Sie als { $role } zu cleanops ein. Nehmen Sie die Einladung an und wählen Sie Ihr Passwort bis { $date } um { $time }.
invitation-sms = cleanops: { $company } lädt Sie ein. { $link }

passwordReset-subject = Ihr cleanops-Passwort zurücksetzen
passwordReset-body = Jemand möchte das Passwort dieser Adresse zurücksetzen. Wählen Sie bis { $time } ein neues Passwort; der Link gilt einmal.
passwordReset-sms = cleanops: Passwort bis { $time } zurücksetzen: { $link }

invoiceIssued-subject = Rechnung { $number } von { $company }
invoiceIssued-body = Anbei erhalten Sie die Rechnung { $number } von { $company } über { $total }, zahlbar bis { $date }.
invoiceIssued-sms = cleanops: Rechnung { $number } von { $company }, { $total }, fällig am { $date }.

boardPost-subject = { $author } zu { $site }: { $thread }
boardPost-body = { $author } schrieb in „{ $thread }“ zu { $site }: { $excerpt }
boardPost-sms = cleanops: { $author } zu { $site }: { $excerpt }
