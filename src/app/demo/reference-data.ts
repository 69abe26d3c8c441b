/** Word lists the demo generator draws people and companies from. Fictional on purpose. */

export const firstNames = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Elijah', 'Sophia', 'Lucas', 'Mia', 'Mateo', 'Amelia', 'Leo', 'Harper', 'Ethan',
  'Evelyn', 'James', 'Aria', 'Benjamin', 'Chloe', 'Daniel', 'Zoe', 'Samuel', 'Nora', 'Henry', 'Lily', 'Jack', 'Hannah', 'Owen',
  'Grace', 'Sebastian', 'Sofia', 'Julian', 'Emily', 'David', 'Ella', 'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Priya', 'Arjun', 'Aisha',
  'Omar', 'Fatima', 'Ali', 'Lea', 'Jonas', 'Lena', 'Felix', 'Clara', 'Paul', 'Marie', 'Pierre', 'Camille', 'Hugo', 'Chiara',
  'Marco', 'Giulia', 'Luca', 'Lucia', 'Carlos', 'Ana', 'Diego', 'Valentina', 'Sven', 'Ingrid', 'Lars', 'Freya', 'Ravi', 'Ines',
  'Tomasz', 'Kasia', 'Nikolai', 'Olga', 'Kwame', 'Amara', 'Tariq', 'Leila', 'Joao', 'Beatriz', 'Sean', 'Niamh', 'Rhys', 'Maya',
];

export const lastNames = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez',
  'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis',
  'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson', 'Hill', 'Campbell',
  'Mitchell', 'Roberts', 'Carter', 'Phillips', 'Evans', 'Turner', 'Chen', 'Wang', 'Li', 'Zhang', 'Tanaka', 'Sato', 'Suzuki',
  'Patel', 'Shah', 'Kumar', 'Singh', 'Khan', 'Ahmed', 'Hassan', 'Mueller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer',
  'Dubois', 'Laurent', 'Bernard', 'Moreau', 'Rossi', 'Russo', 'Ferrari', 'Bianchi', 'Silva', 'Santos', 'Oliveira', 'Costa',
  'Johansson', 'Andersson', 'Nielsen', 'Hansen', 'Kowalski', 'Nowak', 'Ivanov', 'Mensah', 'Okafor', 'Murphy', "O'Brien", 'Kelly',
];

const nameAdjectives = [
  'Blue', 'Bright', 'Silver', 'Golden', 'Red', 'Green', 'North', 'South', 'East', 'West', 'Summit', 'Prime', 'Clear', 'Swift',
  'Iron', 'Crystal', 'Urban', 'Global', 'Pacific', 'Atlantic', 'Alpine', 'Coastal', 'Quantum', 'Vector', 'Nimble', 'Solid', 'True',
  'Bold', 'Open', 'Smart', 'Lucid', 'Stellar', 'Polar', 'Cedar', 'Maple', 'Oak', 'Granite', 'Harbor', 'Meridian', 'Apex',
];
const nameNouns = [
  'River', 'Peak', 'Bridge', 'Stone', 'Field', 'Wave', 'Forge', 'Harbor', 'Path', 'Light', 'Cloud', 'Grid', 'Point', 'Gate',
  'Leaf', 'Ridge', 'Spark', 'Falcon', 'Fox', 'Wolf', 'Bear', 'Lynx', 'Orbit', 'Pixel', 'Signal', 'Anchor', 'Beacon', 'Compass',
  'Canyon', 'Delta', 'Echo', 'Harvest', 'Lantern', 'Mesa', 'Nova', 'Pine', 'Quarry', 'Sail', 'Tide', 'Willow',
];
const nameSuffixes = [
  'Analytics', 'Systems', 'Software', 'Labs', 'Technologies', 'Group', 'Partners', 'Health', 'Logistics', 'Capital', 'Networks',
  'Solutions', 'Industries', 'Manufacturing', 'Media', 'Bank', 'Insurance', 'Retail', 'Energy', 'Robotics', 'Security', 'Cloud',
];
export const companyParts = { adjectives: nameAdjectives, nouns: nameNouns, suffixes: nameSuffixes };

/** Industries with how well they fit the demo product (a B2B revenue tool). */
export const industries: readonly { name: string; fit: number; weight: number }[] = [
  { name: 'Software', fit: 1, weight: 22 },
  { name: 'Financial Services', fit: 0.8, weight: 10 },
  { name: 'IT Services', fit: 0.85, weight: 10 },
  { name: 'Healthcare', fit: 0.55, weight: 8 },
  { name: 'Manufacturing', fit: 0.6, weight: 10 },
  { name: 'Professional Services', fit: 0.7, weight: 8 },
  { name: 'Telecommunications', fit: 0.7, weight: 4 },
  { name: 'Retail', fit: 0.35, weight: 6 },
  { name: 'Education', fit: 0.25, weight: 5 },
  { name: 'Media & Publishing', fit: 0.5, weight: 4 },
  { name: 'Logistics', fit: 0.45, weight: 5 },
  { name: 'Energy', fit: 0.4, weight: 3 },
  { name: 'Government', fit: 0.15, weight: 2 },
  { name: 'Non-profit', fit: 0.15, weight: 3 },
];

export const countries: readonly { code: string; region: string; weight: number; tld: string }[] = [
  { code: 'US', region: 'North America', weight: 40, tld: 'com' },
  { code: 'CA', region: 'North America', weight: 5, tld: 'ca' },
  { code: 'GB', region: 'EMEA', weight: 10, tld: 'co.uk' },
  { code: 'DE', region: 'EMEA', weight: 8, tld: 'de' },
  { code: 'FR', region: 'EMEA', weight: 6, tld: 'fr' },
  { code: 'NL', region: 'EMEA', weight: 3, tld: 'nl' },
  { code: 'SE', region: 'EMEA', weight: 2, tld: 'se' },
  { code: 'ES', region: 'EMEA', weight: 3, tld: 'es' },
  { code: 'IT', region: 'EMEA', weight: 2, tld: 'it' },
  { code: 'IN', region: 'APAC', weight: 6, tld: 'in' },
  { code: 'AU', region: 'APAC', weight: 4, tld: 'com.au' },
  { code: 'JP', region: 'APAC', weight: 3, tld: 'jp' },
  { code: 'SG', region: 'APAC', weight: 2, tld: 'sg' },
  { code: 'BR', region: 'LATAM', weight: 4, tld: 'com.br' },
  { code: 'MX', region: 'LATAM', weight: 2, tld: 'mx' },
];

export const freeMailDomains = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'proton.me', 'gmx.de', 'aol.com'];

export type Seniority = 'c_level' | 'vp' | 'director' | 'manager' | 'individual_contributor' | 'student' | 'consultant';

/** Seniority levels with their weight among business contacts and how well they fit as buyers. */
export const seniorities: readonly { level: Seniority; weight: number; fit: number }[] = [
  { level: 'c_level', weight: 5, fit: 0.9 },
  { level: 'vp', weight: 9, fit: 1 },
  { level: 'director', weight: 16, fit: 0.95 },
  { level: 'manager', weight: 25, fit: 0.75 },
  { level: 'individual_contributor', weight: 37, fit: 0.4 },
  { level: 'student', weight: 4, fit: 0 },
  { level: 'consultant', weight: 4, fit: 0.2 },
];

export const departments: readonly { name: string; weight: number; fit: number }[] = [
  { name: 'Marketing', weight: 30, fit: 1 },
  { name: 'Sales', weight: 22, fit: 0.9 },
  { name: 'Revenue Operations', weight: 8, fit: 1 },
  { name: 'Executive', weight: 6, fit: 0.85 },
  { name: 'IT', weight: 10, fit: 0.5 },
  { name: 'Engineering', weight: 10, fit: 0.3 },
  { name: 'Finance', weight: 6, fit: 0.4 },
  { name: 'Operations', weight: 8, fit: 0.45 },
];

const chiefTitles: Record<string, string> = {
  Marketing: 'Chief Marketing Officer', Sales: 'Chief Revenue Officer', 'Revenue Operations': 'Chief Revenue Officer',
  Executive: 'Chief Executive Officer', IT: 'Chief Information Officer', Engineering: 'Chief Technology Officer',
  Finance: 'Chief Financial Officer', Operations: 'Chief Operating Officer',
};
const icTitles: Record<string, readonly string[]> = {
  Marketing: ['Marketing Analyst', 'Marketing Operations Specialist', 'Content Marketer', 'Demand Generation Specialist'],
  Sales: ['Account Executive', 'Sales Development Representative', 'Sales Engineer'],
  'Revenue Operations': ['Revenue Operations Analyst', 'CRM Administrator'],
  Executive: ['Chief of Staff', 'Business Analyst'],
  IT: ['Systems Engineer', 'IT Analyst'],
  Engineering: ['Software Engineer', 'Data Engineer', 'Senior Software Engineer'],
  Finance: ['Financial Analyst', 'Accountant'],
  Operations: ['Operations Analyst', 'Business Analyst'],
};

/** A job title that matches the seniority and department. */
export function titleFor(level: Seniority, department: string, roll: number): string {
  switch (level) {
    case 'c_level': return chiefTitles[department] ?? 'Chief Executive Officer';
    case 'vp': return department === 'Executive' ? 'SVP Strategy' : `VP ${department}`;
    case 'director': return department === 'Executive' ? 'Director of Strategy' : `Director of ${department}`;
    case 'manager': return department === 'Executive' ? 'Strategy Manager' : `${department} Manager`;
    case 'student': return roll < 0.5 ? 'Student' : 'MBA Candidate';
    case 'consultant': return roll < 0.5 ? 'Independent Consultant' : 'Freelance Marketing Consultant';
    default: {
      const titles = icTitles[department] ?? ['Analyst'];
      return titles[Math.floor(roll * titles.length)]!;
    }
  }
}

export const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '');
