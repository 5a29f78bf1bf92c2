open = Open in cleanops
footer = You get this because of your notification settings in cleanops.
secret-footer = If you did not expect this message, ignore it: nothing changes.
role-admin = administrator
role-dispatcher = dispatcher
role-cleaner = cleaner
role-customer = customer

cleanerLate-subject = { $cleaner } has not checked in at { $site }
cleanerLate-body = { $cleaner } has not checked in at { $site }, and the cleaning window ended at { $time }. { $stops ->
    [one] One room is still open.
   *[other] { $stops } rooms are still open.
}
cleanerLate-sms = cleanops: { $cleaner } not checked in at { $site } (window ended { $time }).

visitSkipped-subject = { $status ->
    [not-accessible] { $area } at { $site } was not accessible
   *[other] { $area } at { $site } was skipped
}
visitSkipped-body = { $cleaner } { $status ->
    [not-accessible] could not get into
   *[other] skipped
} { $area } at { $site } at { $time }. Reason: { $reason }
visitSkipped-sms = cleanops: { $area } at { $site } { $status ->
    [not-accessible] not accessible
   *[other] skipped
} ({ $cleaner }, { $time }): { $reason }

inspectionFailed-subject = Inspection at { $site }: { $score } %
inspectionFailed-body = The inspection at { $site } on { $date } scored { $score } %, below the agreed { $threshold } %. The dispatcher will follow up with the team.
inspectionFailed-sms = cleanops: inspection at { $site } on { $date } scored { $score } % (threshold { $threshold } %).

planActivated-subject = Your week from { $date }
planActivated-body = Your plan changed. From { $date } you have { $stops ->
    [one] one visit
   *[other] { $stops } visits
}. Open your week to see your rooms and times.
planActivated-sms = cleanops: your week from { $date } changed ({ $stops } visits). { $link }

demandCleaning-subject = Please clean { $area } at { $site }
demandCleaning-body = The sensors say { $area } at { $site } needs cleaning. Please clean it by { $time }.
demandCleaning-sms = cleanops: please clean { $area } at { $site } by { $time }.

invitation-subject = { $company } invites you to cleanops
invitation-body = { $company } invites you to cleanops as { $role }. Accept the invitation and choose your password by { $time } on { $date }.
invitation-sms = cleanops: { $company } invites you. { $link }

passwordReset-subject = Reset your cleanops password
passwordReset-body = Someone asked to reset the password of this address. Choose a new password by { $time }; the link works once.
passwordReset-sms = cleanops: reset your password by { $time }: { $link }

invoiceIssued-subject = Invoice { $number } from { $company }
invoiceIssued-body = Please find attached invoice { $number } from { $company } for { $total }, due on { $date }.
invoiceIssued-sms = cleanops: invoice { $number } from { $company }, { $total }, due { $date }.

boardPost-subject = { $author } wrote about { $site }: { $thread }
boardPost-body = { $author } wrote in “{ $thread }” about { $site }: { $excerpt }
boardPost-sms = cleanops: { $author } about { $site }: { $excerpt }
