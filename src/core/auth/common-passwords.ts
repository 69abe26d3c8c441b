/**
 * The most common passwords of 12 characters or more seen in public breach corpora (shorter ones are
 * refused by length already), lower-cased. Checked together with the pattern rules in
 * password-policy.rules.ts, which catch the long tail (a common word or the account's own name padded
 * with digits, repeated characters, keyboard runs).
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(`
123456789012 1234567890123 12345678901234 123456789101 1234567891011 123123123123 111111111111 000000000000
121212121212 112233445566 123321123321 123454321123 147258369147 987654321098 098765432109 999999999999
666666666666 888888888888 101010101010 420420420420 696969696969 212121212121 123412341234 456456456456
789789789789 147147147147 159159159159 321321321321 012345678901 135792468000 246813579000
password1234 password12345 password123456 password1! password2024 password2025 password2026 passwordpassword
password1234! password123! password@123 password#123 passw0rd1234 p@ssw0rd1234 p@ssword1234 p@ssw0rd123!
mypassword123 mypassword1234 thisismypassword newpassword123 changeme1234 changeme123! letmein12345 letmein123456
qwerty123456 qwertyuiop12 qwertyuiop123 qwerty12345678 qwertyqwerty qwertyuiopasdf qwertyuiopasdfgh 1q2w3e4r5t6y
1qaz2wsx3edc 1qaz2wsx3edc4rfv zaq12wsxcde3 zaq1zaq1zaq1 asdfghjkl123 asdfghjkl;' asdfasdfasdf zxcvbnm12345 zxcvbnmasdfg
q1w2e3r4t5y6 a1b2c3d4e5f6 abc123456789 abcdef123456 abcdefghijkl abcd12345678 aaaaaaaaaaaa abcabcabcabc
iloveyou1234 iloveyou123! iloveyouforever iloveyou2024 iloveyoubaby loveyou12345 ilovemyfamily ilovemymom123
welcome12345 welcome123456 welcome2024! welcometo123 letmeinplease administrator admin1234567 admin123456!
administrator1 superadmin123 rootpassword1 footballfootball football1234 baseball1234 basketball12 basketball123
soccer123456 princess1234 sunshine1234 starwars1234 pokemon12345 superman1234 batman123456 spiderman123
michael12345 jennifer1234 charlie12345 jordan232323 monkey123456 dragon123456 master123456 shadow123456
computer1234 internet1234 whatever1234 trustno11234 freedom12345 summer123456 winter123456 spring123456
autumn123456 december1234 september123 1234qwerasdf qwer1234asdf 1234abcd1234 123qweasdzxc 123qwe123qwe
q1w2e3r4t5y6u7 qazwsxedcrfv qazwsxedc123 !qaz2wsx#edc 1q2w3e4r5t6y7u 1q2w3e4r5t 1234567890qwerty
correcthorsebatterystaple correct horse battery staple correct-horse-battery-staple
leadloop1234 leadloop12345 leadloop123! leadlooppassword demo12345678 demodemodemo test12345678 testtesttest
testpassword testpassword1 testing12345 secret123456 secretpassword mysecret1234 company12345 companyname1
`.split(/\s+/).filter(Boolean));
